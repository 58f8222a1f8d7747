"""The NMT course platform.

`create_app()` builds the Flask application. Flask is imported only when it is called, so the
pure modules (content, grading, progress, codes) load without Flask or a database.
"""
from __future__ import annotations


def create_app(config=None):
    """Build the app; `config` overrides settings (tests point it at temporary paths)."""
    from .factory import create_app as build

    return build(config)
