"""Small request-safety helpers shared by the blueprints."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects).

    Browsers treat '//host', '/\\host' and URLs with tabs or newlines inside as other
    sites, so anything but a plain absolute path is refused.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(char) < 32 or ord(char) == 127 or char == "\\" for char in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
