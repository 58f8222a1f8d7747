"""Authored work is never lost: edit conflicts, the history with its differences, restore,
discard per part, publication after a review of the changes, and objectives that keep their
questions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nmt_course.audit import AuditEvent
from nmt_course.authoring.models import CourseDraft, DraftRevision
from nmt_course.database import db
from nmt_course.learning.models import Course
from tests.app.authoring_helpers import LESSON, SINGLE, author, post, revision_on, write_course

BASE = "/author/courses/neck-care"
QUESTION = f"{BASE}/lessons/neck-basics/quiz/questions/scm-action/edit"
EDIT = f"{BASE}/lessons/neck-basics/edit"


def two_authors(app, *, published: bool = True):
    owner = author(app)
    write_course(owner, publish=published)
    other = author(app, "helper@example.com")
    assert post(owner, f"{BASE}/maintainers", {"email": "helper@example.com"}).status_code == 302
    return owner, other


def draft_files(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.scalar(select(CourseDraft.files)))


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(DraftRevision.id)))


@pytest.mark.dialect("row locks")
def test_two_authors_editing_one_question_cannot_lose_either_text(app):
    owner, other = two_authors(app)
    loaded = revision_on(owner.get(QUESTION).text)
    assert revision_on(other.get(QUESTION).text) == loaded
    first = {**SINGLE, "prompt": "Owner's version: which muscle turns the head left?"}
    assert post(owner, QUESTION, {**first, "revision": loaded}).status_code == 302
    second = {**SINGLE, "prompt": "Helper's version: which muscle rotates the head?"}
    refused = post(other, QUESTION, {**second, "revision": loaded})
    assert refused.status_code == 409
    assert "Not saved: Teach saved this after you opened it" in refused.text
    assert "Owner&#39;s version: which muscle turns the head left?" in refused.text  # theirs
    assert refused.text.count("Helper&#39;s version: which muscle rotates the head?") == 2
    quiz = draft_files(app)["quizzes/neck-care/neck-basics.yaml"]
    assert "which muscle turns the head left?" in quiz
    # Saving again from the conflict page (after merging by hand) replaces it knowingly.
    merged = {**SINGLE, "prompt": "Merged: which muscle turns the head to the left?"}
    assert post(other, QUESTION, {**merged, "revision": revision_on(refused.text)}
                ).status_code == 302
    history = owner.get(f"{BASE}/history/").text
    assert history.count("Saved the question scm-action of neck-basics") == 3  # with its first


@pytest.mark.dialect("row locks")
def test_two_authors_editing_one_lesson_cannot_lose_either_text(app):
    owner, other = two_authors(app)
    loaded = revision_on(owner.get(EDIT).text)
    assert post(owner, EDIT, {**LESSON, "body": "## Neck\n\nThe owner's text.",
                              "revision": loaded}).status_code == 302
    refused = post(other, EDIT, {**LESSON, "body": "## Neck\n\nThe helper's text.",
                                 "revision": loaded})
    assert refused.status_code == 409
    assert "The owner&#39;s text." in refused.text and "The helper&#39;s text." in refused.text
    assert "The helper's text" not in draft_files(app)["lessons/neck-care/01-neck-basics.md"]
    # A form sent without its revision counts as loaded at the first: refused too.
    without = post(other, EDIT, {**LESSON, "body": "## Neck\n\nNo revision.", "revision": ""})
    assert without.status_code == 409


def test_edits_of_different_parts_from_old_pages_both_save(app):
    owner, other = two_authors(app)
    loaded = revision_on(owner.get(EDIT).text)
    assert post(owner, EDIT, {**LESSON, "body": "## Neck\n\nThe owner's text.",
                              "revision": loaded}).status_code == 302
    assert post(other, QUESTION, {**SINGLE, "prompt": "Which muscle turns the head left?",
                                  "revision": loaded}).status_code == 302
    files = draft_files(app)
    assert "The owner's text." in files["lessons/neck-care/01-neck-basics.md"]
    assert "Which muscle turns the head left?" in files["quizzes/neck-care/neck-basics.yaml"]


def test_quiz_and_course_settings_conflict_too(app):
    owner, other = two_authors(app)
    quiz = f"{BASE}/lessons/neck-basics/quiz"
    loaded = revision_on(owner.get(quiz).text)
    settings = {"pass_mark": "70", "max_attempts": "3", "draw": "",
                "review_after_fail": "objectives"}
    assert post(owner, quiz, {**settings, "revision": loaded}).status_code == 302
    refused = post(other, quiz, {**settings, "pass_mark": "90", "revision": loaded})
    assert refused.status_code == 409 and "Saved meanwhile" in refused.text
    course = {"title": "Neck Care", "summary": "The neck.", "ce_hours": "0.5",
              "course_type": "Home Study", "description": "Owner's description."}
    loaded = revision_on(owner.get(BASE).text)
    assert post(owner, f"{BASE}/settings", {**course, "revision": loaded}).status_code == 302
    refused = post(other, f"{BASE}/settings", {**course, "description": "Helper's.",
                                               "revision": loaded})
    assert refused.status_code == 409
    assert "Owner&#39;s description." in refused.text and "Helper&#39;s." in refused.text


def test_the_history_shows_each_change_and_restores_yesterdays_lesson(app):
    owner, other = two_authors(app)
    post(owner, EDIT, {**LESSON, "body": "## Neck\n\nYesterday's paragraph."})
    post(other, EDIT, {**LESSON, "body": "## Neck\n\nToday's paragraph."})
    history = owner.get(f"{BASE}/history/").text
    assert "Saved by Helper" in history and "Published by Teach" in history
    newest = int(revision_on(owner.get(EDIT).text))
    diff = owner.get(f"{BASE}/history/{newest}").text
    assert '<li class="diff-removed">' in diff and "Yesterday&#39;s paragraph." in diff
    assert '<li class="diff-added">' in diff and "Today&#39;s paragraph." in diff
    restored = post(owner, f"{BASE}/history/{newest - 1}/restore",
                    {"part": "lesson:neck-basics"})
    assert restored.status_code == 302
    assert "Yesterday's paragraph." in draft_files(app)["lessons/neck-care/01-neck-basics.md"]
    shown = owner.get(restored.location).text  # the restore is itself a revision, with its diff
    assert f"Restored Lesson “Neck Basics” as revision {newest - 1} had it" in shown
    assert "Today&#39;s paragraph." in shown
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "draft.restored"))["revision"] == newest + 1
    assert post(owner, f"{BASE}/history/999/restore", {"part": "lesson:neck-basics"}
                ).status_code == 302
    assert post(owner, f"{BASE}/history/1/restore", {"part": "lesson:nothing"}
                ).status_code == 302
    assert revision_count(app) == newest + 1  # nothing restored from either


def test_discard_one_lesson_keeps_the_quiz_edits_and_the_history(app):
    owner = author(app)
    write_course(owner)
    post(owner, EDIT, {**LESSON, "body": "## Neck\n\nAn edit to throw away."})
    post(owner, QUESTION, {**SINGLE, "prompt": "A kept edit: which muscle turns the head?"})
    course_page = owner.get(BASE).text
    assert "Discard the lesson's edits" in course_page
    before = revision_count(app)
    assert post(owner, f"{BASE}/history/discard", {"part": "lesson:neck-basics"}
                ).status_code == 302
    files = draft_files(app)
    assert "An edit to throw away." not in files["lessons/neck-care/01-neck-basics.md"]
    assert "A kept edit" in files["quizzes/neck-care/neck-basics.yaml"]
    assert revision_count(app) == before + 1
    assert "An edit to throw away." in owner.get(f"{BASE}/history/{before - 1}").text


def test_publishing_shows_the_changes_and_refuses_a_review_gone_stale(app):
    owner, other = two_authors(app)
    post(owner, EDIT, {**LESSON, "body": "## Neck\n\nA new paragraph for learners."})
    review = owner.get(f"{BASE}/publish")
    assert review.status_code == 200
    assert "Changes since the last publication" in review.text
    assert "Lesson “Neck Basics”" in review.text and "A new paragraph for learners." in review.text
    reviewed = revision_on(review.text)
    post(other, EDIT, {**LESSON, "body": "## Neck\n\nAn unreviewed paragraph."})
    stale = post(owner, f"{BASE}/publish", {"revision": reviewed, "confirm_warnings": "y"})
    assert stale.status_code == 409
    assert "The draft changed since you reviewed it" in stale.text
    assert "An unreviewed paragraph." in stale.text  # the review is shown again, up to date
    with app.app_context():
        assert "unreviewed" not in db.session.scalar(select(Course.source_files))[
            "lessons/neck-care/01-neck-basics.md"]
    assert post(owner, f"{BASE}/publish", {"revision": revision_on(stale.text),
                                           "confirm_warnings": "y"}).status_code == 302
    assert "Published the draft" in owner.get(f"{BASE}/history/").text


def test_deleting_an_objective_leaves_every_question_on_the_one_it_named(app):
    owner = author(app)
    write_course(owner)
    edit = owner.get(EDIT).text
    assert "[o1] Name the neck muscles.\n[o2] Palpate them safely." in edit
    assert post(owner, EDIT, {**LESSON, "objectives": "[o2] Palpate them safely."}
                ).status_code == 302
    quiz = owner.get(f"{BASE}/lessons/neck-basics/quiz").text
    assert "its objective was deleted" in quiz  # scm-action, on the deleted o1
    assert "true or false · objective 1" in quiz  # palpate-tf, on o2, now the first
    question = owner.get(QUESTION).text
    assert "tests an objective that was deleted from the lesson" in question
    assert '<option selected value="o1">[o1] deleted from the lesson' in question
    # Reordering moves the questions with their objectives.
    post(owner, EDIT, {**LESSON, "objectives": "A new first one.\n[o2] Palpate them safely."})
    tf = owner.get(f"{BASE}/lessons/neck-basics/quiz/questions/palpate-tf/edit").text
    assert '<option selected value="o2">2. Palpate them safely.</option>' in tf
    assert "o3" in tf  # the new objective got a fresh id, not the deleted one's


def test_a_deleted_courses_revisions_are_kept(app):
    owner = author(app)
    write_course(owner, publish=False)
    kept = revision_count(app)
    assert post(owner, f"{BASE}/delete").status_code == 302
    with app.app_context():
        rows = db.session.execute(select(DraftRevision.course_id, DraftRevision.course_slug)
                                  ).all()
    assert len(rows) == kept and set(rows) == {(None, "neck-care")}
