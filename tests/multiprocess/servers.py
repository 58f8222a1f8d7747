"""A small browser (cookies, forms) over HTTP for the multi-process tests, whose servers
are gunicorn with the production settings (bench/serve.py)."""
from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request



class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.data = status, headers, body

    @property
    def text(self) -> str:
        return self.data.decode()

    def get_data(self, as_text: bool = False):
        return self.text if as_text else self.data

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


class Browser:
    """One person's browser (one cookie jar) whose requests go to each server in turn, as
    a load balancer without sticky sessions sends them; answers like Flask's test client."""

    def __init__(self, *bases: str, jar: http.cookiejar.CookieJar | None = None):
        self.bases, self.turn = bases, 0
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())
        self.served_by: list[str] = []

    def copy(self, *bases: str) -> Browser:
        """Another browser holding copies of this one's cookies (a stolen or kept cookie)."""
        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(cookie)
        return Browser(*(bases or self.bases), jar=jar)

    def _base(self, on: str | None) -> str:
        # A, B, B, A, A, B...: a page and the form posted from it reach either server.
        base = on or self.bases[(self.turn + self.turn // 2) % len(self.bases)]
        self.turn += 1
        self.served_by.append(base)
        return base

    def request(self, method: str, url: str, data=None, headers=None,
                on: str | None = None) -> Response:
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        base = self._base(on)
        request = urllib.request.Request(base + url, data=body, method=method, headers={
            # What a browser says about a form posted from the site's own page.
            "Sec-Fetch-Site": "same-origin", **(headers or {})})
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, url: str, on: str | None = None, **kwargs) -> Response:
        return self.request("GET", url, on=on)

    def post(self, url: str, data=None, headers=None, on: str | None = None,
             **kwargs) -> Response:
        return self.request("POST", url, data=data or {}, headers=headers, on=on)
