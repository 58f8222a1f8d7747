"""Configuration: defaults, then the environment, then explicit overrides (tests)."""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

ENVIRONMENTS = ("development", "production", "testing")


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def database_url(url: str) -> str:
    """Map the common `postgres://` spellings onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def default_site_url(environ: Mapping[str, str]) -> str:
    """Where the development server answers (`./dev serve` passes HOST and PORT on), so the
    links in certificates and e-mails reach it. A wildcard address is reached on loopback;
    set SITE_URL when others reach the site by another name."""
    host = environ.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{environ.get('PORT') or '5000'}"


def served_site_url(instance_path: Path, environ: Mapping[str, str]) -> str | None:
    """Where `./dev serve` last said it serves (instance/site_url), for a command run in
    another terminal without its HOST and PORT: its e-mails must link to the running site."""
    path = instance_path / "site_url"
    if environ.get("HOST") or environ.get("PORT") or not path.exists():
        return None
    return path.read_text().strip() or None


def _dev_secret_key(instance_path: Path) -> str:
    """A secret generated once per checkout and kept in instance/ (git-ignored)."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


# Keys that appear in tutorials, examples and our own tests: never a production secret.
WELL_KNOWN_KEYS = {"dev", "development", "secret", "secret-key", "secret_key", "changeme",
                   "change-me", "change_me", "test", "testing", "test-secret-key",
                   "your-secret-key", "your_secret_key", "supersecret", "super-secret",
                   "please-change-me", "replace-me", "default", "flask", "password"}
MIN_SECRET_BYTES = 32
# A random key of 32 bytes or more, hex or base64, holds far more; "aaaa…", "abab…" or a
# word repeated hold fewer.
MIN_SECRET_CHARACTERS = 10


def site_url(value: str) -> str:
    """SITE_URL as links are built from it: its scheme and host in lower case (browsers
    read `HTTPS://` as https, and cookies must be Secure then too)."""
    parts = urlsplit(value.strip())
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def is_https(url: str) -> bool:
    return urlsplit(url).scheme == "https"


def site_url_problem(url: str, allow_http: bool) -> str | None:
    """Why SITE_URL cannot be a production site's address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username \
            or parts.password or parts.query or parts.fragment:
        return (f"SITE_URL must be the site's public address, https:// and a host name "
                f"(such as https://ce.example.com), not {url[:80]!r}.")
    if parts.scheme == "http" and not allow_http:
        return ("SITE_URL starts with http://: serve the site over https and set an "
                "https:// SITE_URL (or ALLOW_HTTP=1 behind a proxy you trust).")
    return None


def production_problems(config: Mapping[str, object], environ: Mapping[str, str], *,
                        site_url_given: bool, serving: bool = True) -> list[str]:
    """What makes a production start unsafe, each with what to set. `serving` is false for
    a command (`flask --app app ...`): `keys generate` must run before there is a key."""
    problems = []
    secret = str(config.get("SECRET_KEY") or "")
    if not secret:
        problems.append("SECRET_KEY must be set: a long random value, such as the output of "
                        "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
    elif secret.strip().lower() in WELL_KNOWN_KEYS:
        problems.append("SECRET_KEY is a well-known example value: set a long random one.")
    elif len(secret.encode()) < MIN_SECRET_BYTES:
        problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes: set a long "
                        "random value.")
    elif len(set(secret)) < MIN_SECRET_CHARACTERS:
        problems.append(f"SECRET_KEY repeats too few characters ({len(set(secret))} "
                        f"different; a random key has far more than {MIN_SECRET_CHARACTERS}): "
                        "set a long random value.")
    if _flag(environ.get("FLASK_DEBUG")) or config.get("DEBUG"):
        problems.append("Debug mode is on (FLASK_DEBUG or --debug): its console runs code for "
                        "anyone who reaches it. Start without it.")
    if not site_url_given:
        problems.append("SITE_URL must be set to the site's public address (https://...): "
                        "certificates and e-mails link to it.")
    elif problem := site_url_problem(str(config.get("SITE_URL") or ""),
                                     _flag(environ.get("ALLOW_HTTP"))):
        problems.append(problem)
    if not config.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER must be set: password resets, invitations and reminders "
                        "are sent by e-mail.")
    key_file = Path(str(config.get("SIGNING_KEY_FILE") or ""))
    if serving and not key_file.is_file():
        problems.append(f"No issuer key at {key_file}: run `flask --app app keys generate` "
                        "(SIGNING_KEY_FILE names the file). Certificates are signed with it.")
    return problems


def production_warnings(config: Mapping[str, object], environ: Mapping[str, str]) -> list[str]:
    """What works in production but not as people expect: said at start-up."""
    warnings = []
    try:
        workers = int(environ.get("WEB_CONCURRENCY") or "1")
    except ValueError:
        workers = 1
    if workers > 1 and not config.get("REDIS_URL"):
        warnings.append(f"WEB_CONCURRENCY is {workers} but REDIS_URL is not set: each process "
                        "counts rate limits (login guesses among them) alone, so each limit is "
                        f"{workers} times looser. Set REDIS_URL.")
    return warnings


def build_config(instance_path: Path, environ: Mapping[str, str],
                 overrides: Mapping[str, object] | None = None, *,
                 serving: bool = True) -> dict[str, object]:
    """Return the app's settings; raises RuntimeError for a production setup that is unsafe
    (`serving`: see production_problems)."""
    overrides = dict(overrides or {})
    env = overrides.get("NMT_ENV") or environ.get("NMT_ENV", "development")
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"NMT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    url = site_url(str(overrides.get("SITE_URL") or environ.get("SITE_URL")
                       or served_site_url(instance_path, environ)
                       or default_site_url(environ)))
    mail_server = environ.get("MAIL_SERVER") or None
    redis_url = environ.get("REDIS_URL") or None
    config: dict[str, object] = {
        "NMT_ENV": env,
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(
            environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'nmt.sqlite3'}"),
        "SITE_URL": url.rstrip("/"),
        "PROVIDER_NAME": environ.get("PROVIDER_NAME", "NMT Continuing Education"),
        # The first values of the provider settings an admin edits (/admin/provider); once
        # saved there, the saved ones are printed on certificates.
        "PROVIDER_ADDRESS": environ.get("PROVIDER_ADDRESS", ""),
        "PROVIDER_EMAIL": environ.get("PROVIDER_EMAIL", ""),
        "PROVIDER_APPROVAL_NUMBER": environ.get("PROVIDER_APPROVAL_NUMBER", ""),
        "TIMEZONE": environ.get("TIMEZONE", "UTC"),
        "LESSONS_DIR": str(PROJECT_ROOT / "lessons"),
        "QUIZZES_DIR": str(PROJECT_ROOT / "quizzes"),
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(environ.get("MAIL_PORT", "587" if mail_server else "25")),
        "MAIL_USE_TLS": _flag(environ.get("MAIL_USE_TLS"), default=bool(mail_server)),
        "MAIL_USE_SSL": _flag(environ.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        # background: each app process sends soon after a commit; cron: only `flask mail
        # deliver` sends; inline: before the request goes on (tests).
        "MAIL_DELIVERY": environ.get("MAIL_DELIVERY", "background"),
        "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER",
                                           "NMT Courses <no-reply@localhost>"),
        "SUPPORT_EMAIL": environ.get("SUPPORT_EMAIL", ""),
        # The issuer's Ed25519 key pair (`flask --app app keys generate`); never in the
        # database. Rotated-out public keys are kept beside it (<name>.retired.json).
        "SIGNING_KEY_FILE": environ.get("SIGNING_KEY_FILE")
                            or str(instance_path / "signing_key.json"),
        # Account deletions, one line each, outside the database: a restore of an older
        # backup erases those accounts again (erasure_log.py).
        "ERASURE_LOG_FILE": environ.get("ERASURE_LOG_FILE")
                            or str(instance_path / "erasure_log.jsonl"),
        "PASSWORD_RESET_MINUTES": 60,
        "INVITATION_DAYS": 14,
        "PASSWORD_HASH_METHOD": "argon2id",  # tests use a cheaper one
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # With Redis down, each process counts in its own memory until Redis answers again.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        # With Redis, live sessions are looked up there too (user_sessions keeps the record).
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": environ.get("REDIS_KEY_PREFIX", "nmt:"),
        # Retry-After comes from the 429 page (site/errors.py): the time until the limit that
        # was reached lets the next try through, which Flask-Limiter's headers round up.
        "RATELIMIT_HEADERS_ENABLED": False,
        "PROXY_FIX_X_FOR": int(environ.get("PROXY_FIX_X_FOR", "0")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_https(url),
        # A session ends after this long without a request (remember-me: days); the time
        # lives in the signed cookie, so no page writes to the database to keep it.
        "SESSION_IDLE_MINUTES": int(environ.get("SESSION_IDLE_MINUTES", "120")),
        # Flask-Login's REMEMBER_COOKIE_REFRESH_EACH_REQUEST would set the cookie for every
        # login, ticked or not: left off, only "keep me logged in" outlives the browser.
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": is_https(url),
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # The largest upload is an image (2 MB); nothing else comes near 3 MB. A form field
        # (a lesson's text) stays under 512 KB; a form has at most 500 parts. Beyond: 413.
        "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 500,
        # With TRUSTED_HOSTS set (comma-separated), a request for any other Host is refused.
        "TRUSTED_HOSTS": [host.strip() for host in environ.get("TRUSTED_HOSTS", "").split(",")
                          if host.strip()] or None,
    }
    config.update(overrides)

    ZoneInfo(str(config["TIMEZONE"]))  # fail at start-up, not on the first certificate
    if config["MAIL_DELIVERY"] not in ("background", "cron", "inline"):
        raise RuntimeError("MAIL_DELIVERY must be background, cron or inline, not "
                           f"{config['MAIL_DELIVERY']!r}")
    if env == "production":
        problems = production_problems(
            config, environ,
            site_url_given=bool(overrides.get("SITE_URL") or environ.get("SITE_URL")),
            serving=serving)
        if problems:
            raise RuntimeError("Refusing to start with NMT_ENV=production:\n- "
                               + "\n- ".join(problems))
        for warning in production_warnings(config, environ):
            log.warning(warning)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _dev_secret_key(instance_path)
    return config
