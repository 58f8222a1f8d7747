"""Bringing Moodle GIFT question banks into a lesson's quiz draft: browser and command line."""
from __future__ import annotations

from nmt_course.config import PROJECT_ROOT
from tests.app.authoring_helpers import author, upload_file, write_course

GIFT = PROJECT_ROOT.parent / "shared" / "gift"
QUIZ = "/author/courses/neck-care/lessons/neck-basics/quiz"


def upload(client, name: str, data: bytes):
    return upload_file(client, f"{QUIZ}/gift", "gift", name, data)


def test_moodles_example_file_imports_into_the_draft_and_says_what_was_skipped(app):
    teacher = author(app)
    write_course(teacher)
    report = upload(teacher, "examples.gift", (GIFT / "moodle-examples.gift").read_bytes())
    assert report.status_code == 200
    assert "23 questions joined the quiz's draft; 20 skipped" in report.text
    assert "line 55: matching questions are not supported" in report.text
    assert "partial credit is not kept" in report.text
    quiz = teacher.get(QUIZ).text
    assert quiz.count('class="card author-item"') == 2 + 23
    assert "Grant is _____ in Grant&#39;s tomb." in quiz
    learner_view = app.test_client().get("/courses/neck-care").text
    assert "Grant" not in learner_view  # still a draft
    # The same file again (a reload of the result page, say) adds nothing twice.
    again = upload(teacher, "examples.gift", (GIFT / "moodle-examples.gift").read_bytes())
    assert "0 questions joined the quiz's draft" in again.text
    assert "the quiz already has this question" in again.text
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2 + 23


def test_uploads_are_size_limited_and_read_as_utf8_text_only(app):
    teacher = author(app)
    write_course(teacher)
    big = upload(teacher, "big.gift", b"A {T}\n\n" * 200_000)
    assert big.status_code == 422 and "GIFT files may be at most 1 MB." in big.text
    latin = upload(teacher, "latin1.gift", "Caf\xe9 {T}".encode("latin-1"))
    assert latin.status_code == 422 and "not UTF-8 text" in latin.text
    binary = upload(teacher, "image.gift", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert binary.status_code == 422 and "This is not a text file" in binary.text
    empty = upload(teacher, "empty.gift", b"// only a comment\n\n")
    assert empty.status_code == 422 and "The file holds no questions" in empty.text
    words = upload(teacher, "notes.gift", b"Just a note, no questions here.")
    assert words.status_code == 200 and "0 questions joined" in words.text
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2


def test_import_gift_from_the_command_line(app, runner):
    teacher = author(app)
    write_course(teacher)
    result = runner.invoke(args=["content", "import-gift", str(GIFT / "moodle-test-fixture.gift"),
                                 "neck-care", "neck-basics"])
    assert result.exit_code == 0, result.output
    assert "5 questions added to the draft of 'neck-basics', 4 skipped." in result.output
    assert "skipped line 2 (Q8): essay questions are not supported" in result.output
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2 + 5
    missing = runner.invoke(args=["content", "import-gift",
                                  str(GIFT / "moodle-test-fixture.gift"), "neck-care", "nope"])
    assert missing.exit_code == 1 and "the draft has no lesson 'nope'" in missing.output
