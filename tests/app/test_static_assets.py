"""Static files: fingerprinted names, a year's cache, nothing outside static/."""
from __future__ import annotations

import re


def test_pages_link_fingerprinted_assets_cached_for_a_year(client):
    page = client.get("/").text
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{10}\.css)"', page).group(1)
    js = re.search(r'src="(/static/js/site\.[0-9a-f]{10}\.js)"', page).group(1)
    for url in (css, js):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age == 31536000
            assert response.cache_control.immutable
    with client.get(css) as response:
        assert "--accent" in response.text


def test_a_stale_or_forged_fingerprint_is_not_found(client):
    assert client.get("/static/css/site.0000000000.css").status_code == 404
    assert client.get("/static/../nmt_course/config.0123456789.py").status_code == 404
    assert client.get("/static/..%2fapp.0123456789.py").status_code == 404


def test_plain_names_are_served_with_a_short_cache(client):
    with client.get("/static/favicon.svg") as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == 3600


def test_the_logo_is_one_drawing_and_not_a_face(client):
    """The header's mark and the favicon draw the same N in a rounded square; the old circle
    with two dots and an arc read as a frowning face to new users."""
    import re

    header = client.get("/").text.split('class="brand-mark"')[1].split("</svg>")[0]
    with client.get("/static/favicon.svg") as response:
        icon = response.get_data(as_text=True)
    shapes = [re.findall(r'<(rect|circle|ellipse)|\bd="([^"]+)"', svg) for svg in (header, icon)]
    assert shapes[0] == shapes[1] == [("rect", ""), ("", "M10 23V9l12 14V9")]
