"""The factory, configuration, health check and error pages."""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from unittest import mock

import click
import pytest
from sqlalchemy.exc import OperationalError

from nmt_course import create_app
from nmt_course.config import build_config, database_url
from nmt_course.credentials import multikey
from tests.helpers import runtime


def test_config_comes_from_the_environment(tmp_path):
    config = build_config(tmp_path, {
        "DATABASE_URL": "postgres://u@db/nmt", "SITE_URL": "https://ce.example/",
        "MAIL_SERVER": "smtp.example", "REDIS_URL": "redis://cache:6379/0",
        "SECRET_KEY": "from-env"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/nmt"
    assert config["SITE_URL"] == "https://ce.example"
    assert (config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (587, True)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SECRET_KEY"] == "from-env"


def test_embedded_default_is_sqlite_in_instance_with_a_kept_dev_secret(tmp_path):
    first = build_config(tmp_path, {})
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'nmt.sqlite3'}"
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"
    assert len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert build_config(tmp_path, {})["SECRET_KEY"] == first["SECRET_KEY"]


@pytest.mark.parametrize("environ, url", [
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"HOST": "0.0.0.0", "PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"HOST": "192.168.1.20"}, "http://192.168.1.20:5000"),
    ({"HOST": "::1", "PORT": "5001"}, "http://[::1]:5001"),
    ({"HOST": "0.0.0.0", "PORT": "8000", "SITE_URL": "https://ce.example"}, "https://ce.example"),
])
def test_the_default_site_url_is_where_the_dev_server_listens(tmp_path, environ, url):
    """QR codes and reset links must reach `./dev serve` on the port it was given."""
    assert build_config(tmp_path, {"SECRET_KEY": "x", **environ})["SITE_URL"] == url


def test_a_command_in_another_terminal_links_to_the_running_dev_server(tmp_path):
    """`./dev serve` notes where it serves; a command without its HOST and PORT follows."""
    (tmp_path / "site_url").write_text("http://127.0.0.1:5078\n")
    assert build_config(tmp_path, {"SECRET_KEY": "x"})["SITE_URL"] == "http://127.0.0.1:5078"
    assert build_config(tmp_path, {"SECRET_KEY": "x", "PORT": "6000"})["SITE_URL"] == \
        "http://127.0.0.1:6000"
    assert build_config(tmp_path, {"SECRET_KEY": "x", "SITE_URL": "https://ce.example"})[
        "SITE_URL"] == "https://ce.example"


SAFE_PRODUCTION = {"NMT_ENV": "production", "SECRET_KEY": "k" * 16 + "3f9a2c1b7d4e6a8b0c1d",
                   "SITE_URL": "https://ce.example.com", "MAIL_SERVER": "smtp.example.com"}


def with_issuer_key(instance: Path) -> Path:
    """The default SIGNING_KEY_FILE of an app whose instance folder is `instance`."""
    path = instance / "signing_key.json"
    multikey.generate(path, rotate=False, now=dt.datetime.now(dt.timezone.utc))
    return path


def test_a_safe_production_setup_starts(tmp_path):
    with_issuer_key(tmp_path)
    config = build_config(tmp_path, SAFE_PRODUCTION)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_serve_without_an_issuer_key_but_commands_run(tmp_path):
    with pytest.raises(RuntimeError, match="run `flask --app app keys generate`"):
        build_config(tmp_path, SAFE_PRODUCTION)
    # A command runs (there is a click context), so that `keys generate` can make the key.
    environment = {**SAFE_PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                   "SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing_key.json")}
    with mock.patch.dict(os.environ, environment):
        with pytest.raises(RuntimeError, match="No issuer key"):
            create_app()
        with click.Context(click.Command("keys")):
            app = create_app()
    result = app.test_cli_runner().invoke(args=["keys", "generate"])
    assert result.exit_code == 0 and (tmp_path / "keys" / "signing_key.json").exists()
    with mock.patch.dict(os.environ, environment):
        assert create_app().extensions["nmt_runtime"].issuer_keys.signing is not None


@pytest.mark.parametrize("change, says", [
    ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
    ({"SECRET_KEY": "a"}, "shorter than 32 bytes"),
    ({"SECRET_KEY": "changeme"}, "well-known example value"),
    ({"FLASK_DEBUG": "1"}, "Debug mode is on"),
    ({"SITE_URL": ""}, "SITE_URL must be set"),
    ({"SITE_URL": "http://ce.example.com"}, "SITE_URL starts with http://"),
    ({"MAIL_SERVER": ""}, "MAIL_SERVER must be set"),
    # Issue 15, finding 9: each of these started, with Secure cookies off.
    ({"SITE_URL": "HTTP://ce.example.com"}, "SITE_URL starts with http://"),
    ({"SITE_URL": "javascript:alert(1)"}, "SITE_URL must be the site's public address, "
                                          "https:// and a host name"),
    ({"SITE_URL": "https://"}, "SITE_URL must be the site's public address"),
    ({"SITE_URL": "https://admin:pw@ce.example.com"}, "SITE_URL must be the site's public"),
    ({"SITE_URL": "ce.example.com"}, "SITE_URL must be the site's public address"),
    ({"SITE_URL": "https://:pw@ce.example.com"}, "SITE_URL must be the site's public"),
    ({"SITE_URL": "ftp://ce.example.com"}, "SITE_URL must be the site's public address"),
    ({"SITE_URL": "https://ce.example.com/?next=x"}, "SITE_URL must be the site's public"),
    ({"SITE_URL": "https://ce.example.com/#x"}, "SITE_URL must be the site's public"),
    ({"SECRET_KEY": "a" * 32}, r"SECRET_KEY repeats too few characters \(1 different"),
    ({"SECRET_KEY": "changeme" * 4}, r"SECRET_KEY repeats too few characters \(7 different"),
])
def test_production_refuses_an_unsafe_setup_and_says_what_to_set(tmp_path, change, says):
    with pytest.raises(RuntimeError, match=says):
        build_config(tmp_path, {**SAFE_PRODUCTION, **change})


def test_an_https_address_in_capitals_makes_cookies_secure(tmp_path):
    with_issuer_key(tmp_path)
    config = build_config(tmp_path, {**SAFE_PRODUCTION, "SITE_URL": "HTTPS://CE.Example.com/"})
    assert config["SITE_URL"] == "https://ce.example.com"
    assert config["SESSION_COOKIE_SECURE"] is config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("environment, warned", [
    ({"WEB_CONCURRENCY": "4"}, True), ({"WEB_CONCURRENCY": "1"}, False),
    ({"WEB_CONCURRENCY": "4", "REDIS_URL": "redis://cache:6379/0"}, False)])
def test_several_processes_without_redis_are_warned_about(tmp_path, caplog, environment,
                                                          warned):
    with_issuer_key(tmp_path)
    with caplog.at_level(logging.WARNING, logger="nmt_course.config"):
        build_config(tmp_path, {**SAFE_PRODUCTION, **environment})
    said = "WEB_CONCURRENCY is 4 but REDIS_URL is not set: each process counts rate limits"
    assert (said in caplog.text) is warned


def test_plain_http_is_allowed_only_when_asked_for(tmp_path):
    with_issuer_key(tmp_path)
    build_config(tmp_path, {**SAFE_PRODUCTION, "SITE_URL": "http://ce.example.com",
                            "ALLOW_HTTP": "1"})


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="NMT_ENV must be one of"):
        build_config(tmp_path, {"NMT_ENV": "staging", "SECRET_KEY": "x"})


def test_postgres_urls_use_psycopg3():
    assert database_url("postgresql://x/y") == "postgresql+psycopg://x/y"
    assert database_url("sqlite:///a.db") == "sqlite:///a.db"


@pytest.mark.dialect("the connection")
def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")


def test_healthz_reports_a_dead_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert "ok" not in response.text


def test_friendly_404_without_traceback(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


def test_friendly_500_without_traceback(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)  # an app of its own: the test adds a route

    @app.get("/boom")
    def boom():
        raise OperationalError("SELECT secret_stuff", {}, Exception("db is on fire"))

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret_stuff" not in response.text and "Traceback" not in response.text


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_friendly_403(make_app):
    from flask import abort

    app = make_app()  # an app of its own: the test adds a route

    @app.get("/staff-only")
    def staff_only():
        abort(403)

    response = app.test_client().get("/staff-only")
    assert response.status_code == 403
    assert "You cannot open this page" in response.text


def test_operations_do_not_nest(app):
    from nmt_course.accounts.operations import create_user
    from nmt_course.database import transaction

    @transaction
    def outer():
        return create_user(runtime(app), email="x@example.com", password="long enough pw",
                           legal_name="X")

    with app.app_context(), pytest.raises(RuntimeError, match="operations do not nest"):
        outer()
