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
    assert "14 questions joined the quiz's draft; 29 skipped" in report.text
    assert "line 55: matching questions are not supported" in report.text
    assert "partial credit is not kept" in report.text
    quiz = teacher.get(QUIZ).text
    assert quiz.count('class="card author-item"') == 2 + 14
    assert "Grant is _____ in Grant’s tomb." in quiz  # as learners read it
    learner_view = app.test_client().get("/courses/neck-care").text
    assert "Grant" not in learner_view  # still a draft
    # The same file again (a reload of the result page, say) adds nothing twice.
    again = upload(teacher, "examples.gift", (GIFT / "moodle-examples.gift").read_bytes())
    assert "0 questions joined the quiz's draft" in again.text
    assert "the quiz already has this question" in again.text
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2 + 14


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
    assert "4 questions added to the draft of 'neck-basics', 5 skipped." in result.output
    assert "skipped line 2 (Q8): essay questions are not supported" in result.output
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2 + 4
    missing = runner.invoke(args=["content", "import-gift",
                                  str(GIFT / "moodle-test-fixture.gift"), "neck-care", "nope"])
    assert missing.exit_code == 1 and "the draft has no lesson 'nope'" in missing.output


def test_the_file_is_read_before_the_write_transaction_opens(app, monkeypatch):
    """Issue 15, finding 2: reading a hostile file inside BEGIN IMMEDIATE locked the site.
    Reading happens with no write transaction open; only the merge runs inside one."""
    from nmt_course.authoring import operations
    from nmt_course.database import writing

    seen = []
    real = operations.read_gift
    monkeypatch.setattr(operations, "read_gift",
                        lambda text: seen.append(writing()) or real(text))
    teacher = author(app)
    write_course(teacher)
    assert upload(teacher, "one.gift", b"::one:: A question? {=yes ~no}").status_code == 200
    assert seen == [False]


def test_a_file_past_the_limits_is_refused_naming_them_and_changes_nothing(app):
    teacher = author(app)
    write_course(teacher)
    long_line = upload(teacher, "long.gift", b"A? {=yes ~no}\n\n" + b"x" * 5_001)
    assert long_line.status_code == 422
    assert "Line 3 is 5,001 characters long; GIFT files may have lines of at most 5,000 " \
           "characters." in long_line.text
    many = upload(teacher, "many.gift", b"".join(b"Q%d? {T}\n\n" % n for n in range(1_001)))
    assert many.status_code == 422 and "a GIFT file may hold at most 1,000" in many.text
    assert teacher.get(QUIZ).text.count('class="card author-item"') == 2


def test_choose_all_questions_keep_their_prompt_and_the_page_says_so_once(app):
    teacher = author(app)
    write_course(teacher, publish=False)
    gift = ("::plain:: Which muscles turn the head? {~%50%SCM ~%50%Splenius ~%-100%Soleus}\n\n"
            "::says:: Which rotate the neck? Choose all that apply. "
            "{~%50%SCM ~%50%Scalenes ~%-100%Soleus}\n")
    assert upload(teacher, "all.gift", gift.encode()).status_code == 200
    page = teacher.get("/author/courses/neck-care/preview/lessons/neck-basics/quiz").text
    assert "Which muscles turn the head?</span>" in page  # as written, nothing added
    listed = teacher.get(QUIZ).text
    gift = "::typed:: What does __init__ do in `self.x = 1`? {=sets it up ~nothing}"
    report = upload(teacher, "typed.gift", gift.encode()).text
    assert "What does __init__ do in `self.x = 1`?" in report  # as learners read it
    assert "What does __init__ do in `self.x = 1`?" in teacher.get(QUIZ).text
    assert "\\_" not in listed
    assert page.count("Choose all that apply") == 2  # once for each question
