"""The application factory: extensions, models, blueprints, error pages, commands, headers."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import click
from flask import Flask, abort, flash, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, formatting
from .config import PROJECT_ROOT, build_config
from .content import ce_hours_basis
from .credentials import multikey
from .credentials.badge import certificate_title
from .database import configure_engine
from .extensions import csrf, db, limiter, login_manager, migrate
from .mailers import LogMailer, SmtpMailer
from .runtime import Runtime, Settings, TableSessions


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests point it at temporary paths)."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"),
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=None)
    # The SQLite database lives here too: it must exist even when SECRET_KEY comes from the
    # environment (then no development key is written into it).
    os.makedirs(app.instance_path, exist_ok=True)
    # A command (no click context under gunicorn) may run without an issuer key in
    # production: `keys generate` is how the key is made.
    serving = click.get_current_context(silent=True) is None
    app.config.from_mapping(build_config(Path(app.instance_path), os.environ, config,
                                         serving=serving))
    from .web import BoundedIntegerConverter

    app.url_map.converters["int"] = BoundedIntegerConverter
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=1, x_host=0)
    register_runtime(app)
    register_models()
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_templating(app)
    register_commands(app)
    register_security_headers(app)
    register_session_rules(app)
    register_input_rules(app)
    return app


def register_runtime(app: Flask) -> None:
    """Settings, mailer and clock for operations, built once from the config."""
    config = app.config
    if config.get("MAIL_SERVER"):
        mailer = SmtpMailer(
            host=config["MAIL_SERVER"], port=config["MAIL_PORT"],
            sender=config["MAIL_DEFAULT_SENDER"], use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"], username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"])
    else:
        mailer = LogMailer(app.logger)
    live_sessions = TableSessions()
    if config.get("REDIS_URL"):
        from .accounts.live_sessions import RedisSessions

        live_sessions = RedisSessions.from_url(config["REDIS_URL"], config["REDIS_KEY_PREFIX"])
    try:
        issuer_keys = multikey.load(Path(config["SIGNING_KEY_FILE"]))
    except multikey.KeyFileError as error:
        raise RuntimeError(f"Refusing to start: {error}") from error
    app.extensions["nmt_runtime"] = Runtime(settings=Settings.from_config(config),
                                            mailer=mailer, live_sessions=live_sessions,
                                            issuer_keys=issuer_keys)


def register_models() -> None:
    """Every feature's tables, so that the metadata (and so Alembic) sees them all."""
    from . import audit, cycles  # noqa: F401
    from .accounts import models as accounts  # noqa: F401
    from .authoring import models as authoring  # noqa: F401
    from .certificates import models as certificates  # noqa: F401
    from .clinics import models as clinics  # noqa: F401
    from .learning import models as learning  # noqa: F401
    from .mailing import models as mailing  # noqa: F401
    from .quizzes import models as quizzes  # noqa: F401


def register_extensions(app: Flask) -> None:
    from .accounts.queries import user_for_session
    from .web import runtime

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter_storage(app.config)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(lambda session_id: user_for_session(runtime(), session_id))
    from .mailing import sender

    sender.init_app(app)


def limiter_storage(config) -> None:
    """Every Redis key the app writes starts with REDIS_KEY_PREFIX, the rate-limit counts
    too (the limits library's own prefix is LIMITS): two sites sharing one Redis, with
    different prefixes, never share a count."""
    uri = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if uri.startswith(("redis", "valkey")):
        config["RATELIMIT_STORAGE_OPTIONS"] = {
            **config.get("RATELIMIT_STORAGE_OPTIONS", {}),
            "key_prefix": f"{config['REDIS_KEY_PREFIX']}limits"}


def register_blueprints(app: Flask) -> None:
    from .accounts.routes import bp as accounts
    from .admin.roster_routes import bp as rosters
    from .admin.routes import bp as admin
    from .authoring.analysis_routes import bp as analysis
    from .authoring.evidence_routes import bp as evidence
    from .authoring.history_routes import bp as history
    from .authoring.image_routes import bp as images
    from .authoring.lesson_routes import bp as lesson_editor
    from .authoring.preview_routes import bp as preview
    from .authoring.regrade_routes import bp as regrade
    from .authoring.routes import bp as authoring
    from .authoring.writing_routes import bp as writing
    from .certificates.credential_routes import bp as credentials
    from .certificates.routes import bp as certificates
    from .clinics.admin_routes import bp as clinic_admin
    from .clinics.evidence_routes import bp as clinic_evidence
    from .clinics.invitation_routes import bp as invitations
    from .clinics.routes import bp as clinics
    from .learning.routes import bp as learning
    from .quizzes.routes import bp as quizzes
    from .site.routes import bp as site

    for blueprint in (site, accounts, learning, quizzes, certificates, credentials, authoring,
                      lesson_editor, preview, analysis, regrade, evidence, history, images,
                      writing, admin, rosters,
                      clinics, invitations, clinic_admin, clinic_evidence):
        app.register_blueprint(blueprint)
    assets.init_app(app, PROJECT_ROOT / "static")


def register_errorhandlers(app: Flask) -> None:
    from .site.errors import register

    register(app)


def register_templating(app: Flask) -> None:
    app.jinja_env.globals["ce_label"] = formatting.ce_label
    app.jinja_env.globals["count_of"] = formatting.count_of
    app.jinja_env.globals["times"] = formatting.times
    app.jinja_env.globals["ce_hours_basis"] = ce_hours_basis
    app.jinja_env.filters["long_date"] = formatting.long_date
    app.jinja_env.globals["provider_name"] = app.config["PROVIDER_NAME"]
    app.jinja_env.globals["certificate_title"] = certificate_title


def register_commands(app: Flask) -> None:
    from .accounts.cli import users
    from .site.cli import backup
    from .certificates.cli import credentials, keys
    from .clinics.cli import clinics
    from .demo.cli import demo_data
    from .learning.cli import content
    from .learning.records_cli import records
    from .mailing.cli import mail
    from .quizzes.cli import quizzes

    for group in (content, users, quizzes, clinics, mail, keys, credentials, records,
                  demo_data, backup):
        app.cli.add_command(group)


def register_security_headers(app: Flask) -> None:
    policy = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SITE_URL"].startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # What a logged-in person sees (grades, licence numbers) stays out of shared caches
        # and off the disk of a shared computer, unless the page says otherwise (images).
        if "Cache-Control" not in response.headers and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


def register_session_rules(app: Flask) -> None:
    """A session unused for SESSION_IDLE_MINUTES (remember-me: REMEMBER_COOKIE_DURATION)
    ends. When it was last used is kept in the signed cookie, refreshed once a minute."""
    from flask import session
    from flask_login import user_loaded_from_cookie

    from .web import log_out, runtime

    idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    remembered = app.config["REMEMBER_COOKIE_DURATION"]

    @user_loaded_from_cookie.connect_via(app)
    def _remembered(sender, user) -> None:
        session["remember_me"] = True

    @app.before_request
    def _end_idle_sessions():
        if "_user_id" not in session and not request.cookies.get(
                app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return None  # nobody is logged in: nothing to read
        if not current_user.is_authenticated:
            return None
        now = int(runtime().clock().timestamp())
        seen = session.get("seen")
        limit = remembered if session.get("remember_me") else idle
        if seen is not None and now - seen > limit.total_seconds():
            log_out()
            flash("You were logged out after a while without activity. Log in again to "
                  "carry on.", "info")
        elif seen is None or now - seen >= 60:
            session["seen"] = now
        return None


def register_input_rules(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters():
        """No text anyone types holds a NUL, and PostgreSQL refuses it in a query: such a
        request is refused whole, before any page reads it."""
        values = [request.path, *request.args.keys(), *request.args.values()]
        if request.method == "POST":
            values += [*request.form.keys(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)
        return None
