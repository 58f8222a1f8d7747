"""The checker's newer rules: mistakes that render without complaint (issue 22) and the quiz
cues of issue 25, each with a case that trips it and a near miss that does not."""
from __future__ import annotations

import re

import pytest

from nmt_course.content import load_files
from tests.unit.test_quality import absolute, plain, question, quiz, true_false

COURSE = "---\ntitle: C\nce_hours: 0.25\nstatus: draft\n---\nAbout.\n"
LESSON_HEAD = "---\ntitle: The Lesson\nobjectives:\n  - Know it.\n---\n"


def check(body: str = "## A\n\nText.\n", quiz_text: str | None = None, images=()):
    files = {"lessons/c/course.md": COURSE, "lessons/c/01-one.md": LESSON_HEAD + body}
    if quiz_text is not None:
        files["quizzes/c/one.yaml"] = quiz_text
    return load_files(files, images).problems


def messages(problems, rule: str | None = None) -> list[str]:
    return [p.message for p in problems if rule is None or p.rule == rule]


def errors(body: str) -> list[str]:
    return [str(p) for p in check(body) if p.severity.value == "error"]


# --- issue 22: what the checker catches --------------------------------------------------------

def test_identical_choices_are_an_error():
    text = quiz(question("same", "Pick one?", "The SCM", "The  **SCM**", "Soleus"))
    assert [p.message for p in check(quiz_text=text) if p.severity.value == "error"] == [
        "choices 1 and 2 of question 'same' read the same ('The SCM'): learners cannot tell "
        "them apart; reword one or remove it"]
    fine = quiz(question("fine", "Which is larger?", "TB", "GB", "Gb"))  # a real bank's
    assert not [p for p in check(quiz_text=fine) if p.severity.value == "error"]


def test_an_image_the_course_does_not_have_is_an_error():
    body = "## A\n\nSee:\n\n![neck](/courses/c/images/neck.0123456789.png)\n"
    assert errors(body) == ["lessons/c/01-one.md:10: the image 'neck.0123456789.png' is not "
                            "among the course's images: upload it, or correct its name"]
    assert not [p for p in check(body, images=["neck.0123456789.png"])
                if p.severity.value == "error"]
    # An image from elsewhere would be blocked by the pages' CSP; the site's own files show.
    assert "is not one of the course's" in errors("## A\n\n![x](https://example.org/x.png)\n")[0]
    assert errors("## A\n\n![x](/static/img/x.png)\n") == []


def test_front_matter_pasted_into_the_text_is_an_error():
    body = "---\ntitle: The Lesson\nminutes: 5\n---\n## A\n\nText.\n"
    assert errors(body) == [
        "lessons/c/01-one.md:6: the text holds front matter pasted into it ('---' and title, "
        "minutes: ...); learners would read it as text: remove it (the title, slug, minutes "
        "and objectives have their own fields)"]
    assert errors("## A\n\nText.\n\n---\n\nMore: text after a rule.\n") == []


def test_a_broken_table_is_an_error():
    assert errors("## A\n\n| Muscle | Zone |\n| SCM | head |\n") == [
        "lessons/c/01-one.md:8: the table starting '| Muscle | Zone |' has no row of dashes "
        "under its header ('| --- | --- |'), so it shows as plain text with bars"]
    assert errors("## A\n\n| Muscle | Zone |\n| --- |\n| SCM | head |\n") == [
        "lessons/c/01-one.md:9: the table starting '| Muscle | Zone |' has 2 columns in its "
        "header but 1 in the row of dashes under it"]
    assert errors("## A\n\n| Muscle | Zone |\n|---|---|\n| SCM | head | neck |\n") == [
        "lessons/c/01-one.md:10: the row '| SCM | head | neck |' has 3 cells where its table "
        "has 2 columns: extra cells are dropped, missing ones left empty"]
    assert errors("## A\n\n| Muscle | Zone |\n|:---|---:|\n| SCM | head \\| face |\n\n"
                  "```\n| not | a table |\n| code |\n```\n") == []


def test_an_admonition_of_an_unknown_kind_or_with_no_text_is_an_error():
    assert errors("## A\n\n!!! notice\n    Text.\n") == [
        "lessons/c/01-one.md:8: the box '!!! notice' is of an unknown kind: use caution, "
        "clinical, danger, example, important, note, tip, warning"]
    assert errors("## A\n\n!!! warning \"Stop\"\nNot indented.\n") == [
        "lessons/c/01-one.md:8: the box '!!! warning \"Stop\"' has no text indented under it "
        "(by four spaces), so learners see an empty box"]
    assert errors("## A\n\n!!! clinical \"Red flag\"\n\n    Refer the client.\n") == []


def test_no_message_the_browser_shows_names_a_file_or_a_document():
    """The browser shows the message alone, beside the lesson or question it is about."""
    body = ("---\ntitle: x\n---\n!!! odd\nx\n\n| a | b |\n| c | d |\n\n"
            "![i](/courses/c/images/i.0123456789.png)\n")
    items = quiz(question("dup", "Pick one?", "A one", "a one"), plain("p1"), plain("p2"))
    found = messages(check(body, items)) + messages(check(quiz_text=quiz(
        question("q", "Pick one?", "Alpha option", "Bravo option"),
        question("q2", "Pick one?", "Alpha option", "Bravo option"))))
    assert len(found) >= 6
    for message in found:
        assert not re.search(r"\.(md|yaml)\b|docs/|lessons/|quizzes/", message), message


# --- issue 25, point 4: the quiz cues ----------------------------------------------------------

def test_qualifiers_far_more_often_in_false_statements_than_true_ones():
    text = quiz(true_false("f1", "Trigger points only form in the neck.", False),
                true_false("f2", "Compression always requires deep pressure.", False),
                true_false("f3", "Any client can receive deep work.", False),
                true_false("t1", "Trigger points can refer pain.", True),
                true_false("t2", "Latent points may restrict motion.", True))
    assert messages(check(quiz_text=text), "qualifier-imbalance") == [
        "3 of 3 false statements carry a qualifier such as only, any, requires or main (f1, "
        "f2, f3) but 0 of 2 true ones: learners answer 'false' whenever they see one; qualify "
        "statements of both kinds alike"]


@pytest.mark.parametrize("near_miss", [
    # only two qualified statements: an incidental word, not a pattern
    [("f1", "Trigger points only form in the neck.", False),
     ("f2", "Compression always hurts.", False), ("f3", "Ice heals it.", False),
     ("t1", "Trigger points can refer pain.", True)],
    # true statements are qualified nearly as often
    [("f1", "Trigger points only form in the neck.", False),
     ("f2", "Compression always hurts.", False), ("f3", "Any client may have it.", False),
     ("t1", "Pain is the main reason clients come.", True),
     ("t2", "Referral requires a map.", True), ("t3", "Points can refer.", True)],
])
def test_qualifier_imbalance_near_misses(near_miss):
    text = quiz(*(true_false(*statement) for statement in near_miss))
    assert messages(check(quiz_text=text), "qualifier-imbalance") == []


def cautious(key: str, wrong_cautious: bool = False) -> str:
    wrong = "Stop and refer to a physician" if wrong_cautious else "Work deeper on the spot"
    return question(key, "The client feels dizzy. What next?", "Stop and refer to a doctor",
                    wrong, "Carry on gently")


def test_the_key_as_the_only_cautious_option():
    text = quiz(cautious("c1"), cautious("c2"), cautious("c3"), plain("p1"))
    assert messages(check(quiz_text=text), "only-cautious-key") == [
        "in 3 questions (c1, c2, c3) the key is the only option that stops, pauses or refers, "
        "and a wrong option does so in 0: learners who always pick the cautious option score "
        "without knowing; give wrong options cautious wording too (stopping when it is not "
        "needed)"]
    balanced = quiz(cautious("c1"), cautious("c2"), cautious("c3"),
                    *(cautious(f"w{n}", wrong_cautious=True) for n in range(3)))
    assert messages(check(quiz_text=balanced), "only-cautious-key") == []
    assert messages(check(quiz_text=quiz(cautious("c1"), cautious("c2"), plain("p1"))),
                    "only-cautious-key") == []


def choose_all(key: str, right: int, total: int = 5) -> str:
    options = [f"Option {n} here" for n in range(total)]
    return question(key, "Which apply?", options[:right], *options[right:], kind="multiple")


def test_choose_all_questions_with_most_options_right():
    text = quiz(choose_all("m1", 3), choose_all("m2", 4), choose_all("m3", 2))
    assert messages(check(quiz_text=text), "choose-all-mostly-right") == [
        "in 2 of 3 choose-all questions (m1, m2) most options are right: learners who tick "
        "nearly everything score well; vary how many are right, from one to all but one"]
    varied = quiz(choose_all("m1", 3), choose_all("m2", 1), choose_all("m3", 2))
    assert messages(check(quiz_text=varied), "choose-all-mostly-right") == []


def test_absolute_words_only_in_wrong_options_count_the_words_the_reviewer_found():
    text = quiz(absolute("a1", "Every client needs it"), absolute("a2", "It cures the pain"),
                absolute("a3", "It is proven to work"))
    assert len(messages(check(quiz_text=text), "absolute-terms")) == 1


def test_the_draft_check_is_kept_by_the_files_hash(monkeypatch):
    """An author's pages check the same draft on every view: the second check of the same
    files (and image names) reads nothing again; a change reads again."""
    from nmt_course.content import check_files, loader

    files = {"lessons/c/course.md": COURSE, "lessons/c/01-one.md": LESSON_HEAD + "## A\n\nX.\n"}
    first = check_files(files, ["a.0123456789.png"])
    monkeypatch.setattr(loader, "load_files", lambda *args: pytest.fail("checked again"))
    assert check_files(dict(files), ["a.0123456789.png"]) is first
    monkeypatch.undo()
    changed = check_files({**files, "lessons/c/01-one.md": LESSON_HEAD + "## A\n\nY.\n"},
                          ["a.0123456789.png"])
    assert changed is not first
    assert check_files(files, []) is not first  # the image names count too
