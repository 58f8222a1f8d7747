"""The application factory: extensions, blueprints, error pages, commands, headers."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, formatting
from .config import PROJECT_ROOT, build_config
from .database import configure_engine
from .extensions import csrf, db, limiter, login_manager, mail, migrate


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests point it at temporary paths)."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"),
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=None)
    app.config.from_mapping(build_config(Path(app.instance_path), os.environ, config))
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=1, x_host=0)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_templating(app)
    register_commands(app)
    register_security_headers(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"

    from .auth.routes import load_user
    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from .auth.routes import bp as auth
    from .certificates.routes import bp as certificates
    from .courses.routes import bp as courses
    from .main.routes import bp as main
    from .quizzes.routes import bp as quizzes

    for blueprint in (main, auth, courses, quizzes, certificates):
        app.register_blueprint(blueprint)
    assets.init_app(app, PROJECT_ROOT / "static")


def register_errorhandlers(app: Flask) -> None:
    from .main.errors import register

    register(app)


def register_templating(app: Flask) -> None:
    app.jinja_env.globals["ce_label"] = formatting.ce_label
    app.jinja_env.filters["long_date"] = formatting.long_date
    app.jinja_env.globals["provider_name"] = app.config["PROVIDER_NAME"]


def register_commands(app: Flask) -> None:
    from .cli import content, users

    app.cli.add_command(content)
    app.cli.add_command(users)


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
        return response
