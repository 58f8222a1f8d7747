"""Static files under fingerprinted names (site.3f9a2c1b7d.css) with a one-year cache.

A name changes whenever the file does, so browsers may keep a file for a year and still never
show a stale stylesheet. Names are computed from the files at start-up (and on each lookup in
debug mode, so edits show at once while developing).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, abort, has_request_context, request, send_from_directory, url_for
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[^./]+)$")


def init_app(app: Flask, folder: Path) -> None:
    folder = folder.resolve()
    digests: dict[str, str] = {}

    def digest(filename: str) -> str | None:
        if filename in digests and not app.debug:
            return digests[filename]
        path = safe_join(str(folder), filename)  # the name may come from a URL
        if not path or not Path(path).is_file():
            return None
        digests[filename] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]
        return digests[filename]

    urls: dict[tuple[str, str], str] = {}

    def asset_url(filename: str) -> str:
        """URL of a static file under its fingerprinted name. Every page asks for the same
        few, and url_for costs more than the rest of a page's header: once built, a URL is
        kept per mount point (SCRIPT_NAME) while the files cannot change (not debug)."""
        key = (request.script_root if has_request_context() else None, filename)
        if key in urls and not app.debug:
            return urls[key]
        name = Path(filename)
        urls[key] = url_for("static", filename=str(name.with_name(
            f"{name.stem}.{digest(filename)}{name.suffix}")))
        return urls[key]

    def static(filename: str):
        match = _FINGERPRINTED.match(filename)
        if match:
            original = f"{match['stem']}{match['suffix']}"
            if digest(original) != match["digest"]:
                abort(404)
            response = send_from_directory(folder, original, max_age=ONE_YEAR)
            response.cache_control.immutable = True
            return response
        # Files linked by plain name (lesson images) may change under the same name.
        return send_from_directory(folder, filename, max_age=3600)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)
    app.jinja_env.globals["asset_url"] = asset_url
