"""The audits the journeys rely on do catch problems (so a clean journey means something)."""
from __future__ import annotations

from .journey import AXE_OPTIONS, _axe, validate_html


def test_html_checker_reports_invalid_markup(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>x</title></head>'
                    '<body><main foo="bar"><p>unclosed <b>bold</p></main></body></html>')
    errors = validate_html([page])
    assert any("Attribute “foo” not allowed" in error for error in errors), errors


def test_axe_reports_low_contrast_and_unlabelled_fields(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<!doctype html><html lang="en"><head><title>x</title></head><body><main>'
                     '<p style="color:#ccc;background:#fff">faint text</p>'
                     '<input type="text"></main></body></html>')
    found = {v["id"] for v in _axe.run(page, options=AXE_OPTIONS).response["violations"]}
    context.close()
    assert {"color-contrast", "label"} <= found
