"""The course's figures show in Chromium at phone and desktop width, each with its text
alternative and a caption, no wider than the page, and open full size when tapped."""
from __future__ import annotations

import re

from tests.browser.test_learner_journey import COURSE, CONTENT, PASSWORD
from tests.helpers import make_user

WITH_FIGURES = [lesson.slug for lesson in CONTENT.lessons if "<img" in lesson.body_html]


def test_figures_show_with_their_text_alternatives(journey, learner_email):
    page, server = journey.page, journey.server
    make_user(server.app, learner_email, password=PASSWORD, name="Ana Figueira")
    page.goto("/login")
    page.get_by_label("E-mail address").fill(learner_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert len(WITH_FIGURES) >= 8
    shown = 0
    for slug in WITH_FIGURES:
        journey.goto(f"/courses/{COURSE}/lessons/{slug}", f"figures-{slug}")
        figures = page.evaluate("""() => Array.from(document.querySelectorAll('.prose img'))
            .map(img => ({alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
                          width: img.getBoundingClientRect().width,
                          page: document.documentElement.clientWidth,
                          link: img.closest('a') && img.closest('a').getAttribute('href'),
                          src: img.getAttribute('src'),
                          caption: (img.closest('p').nextElementSibling || {}).textContent}))""")
        for figure in figures:
            assert figure["loaded"], figure["src"]
            assert len(figure["alt"]) > 40, figure["src"]  # says what the figure shows
            assert 0 < figure["width"] <= figure["page"], figure
            assert figure["link"] == figure["src"]
            assert figure["caption"].startswith("Figure:"), figure["src"]
            shown += 1
    assert shown >= 8
    journey.finish()
