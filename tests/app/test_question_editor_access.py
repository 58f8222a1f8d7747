"""The question editor for screen readers and phones (issue 21): each choice row says its
number, a single-answer question's key is a radio button, long text wraps."""
from __future__ import annotations

import re

from tests.app.authoring_helpers import SINGLE, author, post, write_course

Q = "/author/courses/neck-care/lessons/neck-basics/quiz/questions"


def test_each_choice_row_is_numbered_for_screen_readers(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    page = teacher.get(f"{Q}/new?type=multiple").text
    for row in range(1, 7):
        assert f'for="choices-{row - 1}-text">Choice {row}</label>' in page
        assert f'<label for="choices-{row - 1}-correct">Choice {row} is right</label>' in page
        assert f'for="choices-{row - 1}-feedback">Choice {row} feedback</label>' in page
    assert 'type="radio"' not in page


def test_a_single_answer_questions_key_is_a_radio_button(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    page = teacher.get(f"{Q}/scm-action/edit").text
    radios = re.findall(r'<input type="radio" name="right" id="right-(\d)" value="\d"( checked)?',
                        page)
    assert len(radios) == 6
    assert [row for row, checked in radios if checked] == ["0"]  # as saved
    assert '<label for="right-1">Choice 2 is right</label>' in page
    assert 'name="choices-0-correct"' not in page
    data = {key: value for key, value in SINGLE.items() if key != "choices-0-correct"}
    assert post(teacher, f"{Q}/scm-action/edit", {**data, "right": "1"}).status_code == 302
    page = teacher.get(f"{Q}/scm-action/edit").text
    assert '<input type="radio" name="right" id="right-1" value="1" checked>' in page


def test_long_choice_and_feedback_text_wraps(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    page = teacher.get(f"{Q}/scm-action/edit").text
    assert re.search(r'<textarea class="input" id="choices-0-text" [^>]*rows="2"', page)
    assert re.search(r'<textarea class="input" id="choices-0-feedback"', page)


def test_the_key_is_what_was_sent_not_what_was_loaded(app):
    """A form sent without the radio button (its type changed from several right answers,
    say) keys the checkboxes sent, not the key the question was loaded with."""
    teacher = author(app)
    write_course(teacher, publish=False)
    response = post(teacher, f"{Q}/scm-action/edit",
                    {**SINGLE, "choices-0-correct": "", "choices-1-correct": "y"})
    assert response.status_code == 302
    page = teacher.get(f"{Q}/scm-action/edit").text
    assert '<input type="radio" name="right" id="right-1" value="1" checked>' in page
