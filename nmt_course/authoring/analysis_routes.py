"""Item analysis for authors: which questions of a published quiz mislead learners."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from ..content import check_files
from ..content.markdown import plain_text
from ..csv_safe import to_csv
from ..learning.queries import active_lesson
from ..quizzes import queries as quiz_queries
from ..quizzes.item_analysis import (BAND_PERCENT, TOO_EASY, TOO_HARD, ItemStats, fold,
                                     key_hash, keys_by_hash)
from ..quizzes.models import Question
from . import queries
from .lookups import author_gate, editable_course_or_404

bp = Blueprint("analysis", __name__, url_prefix="/author/courses/<slug>/lessons/<lesson>")
bp.before_request(author_gate)


@dataclass
class Row:
    """One question's line of the report: the first answers given under one key of it."""

    item: ItemStats
    question: Question | None  # the current version's question with this key, if any
    current: bool  # False: its right answers have changed since these answers
    right: list[str]  # the texts of the right answers under the key these answers met
    wrong: list[tuple[str, int]]  # (choice text, times picked) under that key
    learner_flags: int
    warnings: list[str]
    keys: int  # how many keys of this question have answers


def _report(slug: str, lesson_slug: str):
    course = editable_course_or_404(slug)
    lesson = active_lesson(course.id, lesson_slug)
    quiz = quiz_queries.quiz_of_lesson(lesson.id) if lesson else None
    if quiz is None:
        abort(404)  # not published yet: nobody has answered it
    summary, counts = quiz_queries.item_counts(quiz.id)
    versions, by_version = quiz_queries.versions_and_questions(quiz.id)
    current = max(versions.values(), key=lambda v: v.number).id
    questions = by_version[current]
    # Answers are read against the key they were given under, never the current one.
    keyed = keys_by_hash(by_version[v.id].values()
                         for v in sorted(versions.values(), key=lambda v: v.number))
    flags = [flag.question_key for flag in queries.open_flags(course.id, lesson_slug)]
    problems = (check_files(course.source_files, queries.image_names(course.id)).problems
                if course.source_files else ())
    quiz_path = f"quizzes/{course.slug}/{lesson_slug}.yaml"
    items = fold(counts)
    keys_of = Counter(item.question_key for item in items)
    rows = []
    for item in sorted(items, key=lambda i: (i.share_right or 0, i.question_key)):
        question = questions.get(item.question_key)
        then = keyed.get((item.question_key, item.key_hash))
        texts = {c.key: plain_text(c.text_html) for c in then.choices} if then else {}
        right = [c.key for c in then.choices if c.correct] if then else []
        current = question is not None and then is not None and key_hash(
            question.type, (c.key for c in question.choices if c.correct)) == item.key_hash
        rows.append(Row(item, question, current, [texts[key] for key in right],
                        [(texts.get(key, key), n) for key, n in item.wrong_picks(right)],
                        flags.count(item.question_key),
                        [p.message for p in problems
                         if p.path == quiz_path and p.question == item.question_key],
                        keys_of[item.question_key]))
    return course, lesson, summary, rows


@bp.get("/analysis")
def report(slug: str, lesson: str):
    """Per question: how many answered it first, the share right, discrimination, the wrong
    choices picked, learners' flags and the checker's warnings."""
    course, found, summary, rows = _report(slug, lesson)
    return render_template("authoring/analysis.html", course=course, lesson=found,
                           summary=summary, rows=rows, too_easy=round(TOO_EASY * 100),
                           too_hard=round(TOO_HARD * 100), band_percent=BAND_PERCENT)


@bp.get("/analysis.csv")
def report_csv(slug: str, lesson: str):
    course, found, summary, rows = _report(slug, lesson)
    header = ["question", "text", "right answers as now", "learners shown it", "share right",
              "discrimination", "flags", "wrong choices picked", "learner flags",
              "checker warnings", "high band shown it", "low band shown it",
              "right answers under the key answered"]
    lines = [[row.item.question_key,
              plain_text(row.question.prompt_html) if row.question else "",
              "yes" if row.current else "no", row.item.shown,
              f"{row.item.share_right:.2f}" if row.item.share_right is not None else "",
              f"{row.item.discrimination:.2f}" if row.item.discrimination is not None else "",
              "; ".join(row.item.flags), "; ".join(f"{text} ({n})" for text, n in row.wrong),
              row.learner_flags, " | ".join(row.warnings), row.item.upper_shown,
              row.item.lower_shown, "; ".join(row.right)] for row in rows]
    return to_csv(header, lines), 200, {
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{course.slug}-{lesson}-items.csv"'}
