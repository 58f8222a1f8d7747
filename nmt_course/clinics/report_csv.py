"""The clinic report's CSV: its header and lines, from the report's rows (pure; the page
writes them through csv_safe)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from ..csv_safe import cell
from ..formatting import ce_hours
from .compliance import PastCycle, ReportRow, Standing, timeliness

HEADER = ["family name", "name", "e-mail", "staff", "licence number", "licence state",
          "course", "assignment", "status", "progress %", "due date", "completed on",
          "completed vs due",
          "CE hours", "certificate", "repeats every (months)", "expires on", "expired on",
          "cycle", "earlier cycles",
          "quizzes passed", "struggling with",
          "out of attempts at", "verification"]


def _standing(row: ReportRow) -> str:
    if row.standing is Standing.FORMER and row.left_on is not None:
        return f"former staff (left {row.left_on.isoformat()})"
    return row.standing  # a string enum: its text


def _past(cycle: PastCycle, verification_url: Callable[[str], str]) -> str:
    """An earlier cycle in a cell: "cycle 1: completed 2025-01-12, valid until 2026-01-12, <url>"."""
    parts = [f"cycle {cycle.number}: completed {cycle.completed_on.isoformat()}"]
    if cycle.expired_on is not None:
        parts.append(f"valid until {cycle.expired_on.isoformat()}")
    if cycle.certificate_code:
        parts.append(verification_url(cycle.certificate_code))
    return ", ".join(parts)


def report_csv(rows: Sequence[ReportRow], quizzes: Sequence[tuple[int, int, str]],
               verification_url: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """The header and one line per row (written CSV: csv_safe.from_lines makes the
    document), then the person's best score at each quiz, blank if not tried: `quizzes`
    (course id, lesson position, lesson title) are the rows' courses' quizzes (the rows hold
    their best scores, `best_scores`). For one course, a column per quiz, named by its
    lesson; for several, column n is each row's course's n-th quiz (in lesson order), so
    the file stays as narrow as the longest course."""
    positions: dict[int, list[str]] = {}  # course -> its quizzes' lesson positions, in order
    for course_id, position, _ in quizzes:
        positions.setdefault(course_id, []).append(str(position))
    if len(positions) == 1:
        header = HEADER + [f"best score: {title}" for _, _, title in quizzes]
    else:
        header = HEADER + [f"best score: quiz {n}" for n in range(
            1, max(map(len, positions.values()), default=0) + 1)]
    width = len(header) - len(HEADER)
    columns = {course_id: _CourseScores(found, width) for course_id, found in positions.items()}
    no_scores = "," * width
    # A clinic's CSV has tens of thousands of rows of some fifty cells, most of them the
    # same on many rows (a person's, a course's): each is written (neutralised, quoted)
    # once, and a line is their texts joined. Dates, numbers and the product's own words
    # are written as they are: none can start a formula or needs quotes.
    people: dict[tuple, str] = {}
    courses: dict[int, str] = {}
    lessons: dict[tuple[str, ...], str] = {}
    dates: dict = {None: ""}
    lines = []
    for row in rows:
        # Every field at once, in ReportRow's order: one step instead of some thirty
        # lookups on each of tens of thousands of rows (a field added fails here at once).
        (user_id, name, email, course_id, course_title, due_on, status, percent, quiz_count,
         quizzes_passed, quizzes, completed_on, certificate_code, family_name, _, left_on, _,
         licence_number, licence_state, ce_hours, revoked, withdrawn_on, best_scores,
         recur_months, expires_on, expired_completion, cycle, history) = row
        course_scores = columns.get(course_id)
        if best_scores and course_scores:
            scores_text = course_scores.cells(best_scores)
        else:
            scores_text = no_scores
        # Who the row is about (the standing follows: invited rows have no user, former
        # staff a day they left).
        person_key = (user_id, family_name, name, email, left_on, licence_number,
                      licence_state)
        person = people.get(person_key)
        if person is None:
            person = people[person_key] = ",".join(map(cell, (
                family_name, name, email, _standing(row), licence_number or "",
                licence_state or "")))
        course = courses.get(course_id)
        if course is None:
            course = courses[course_id] = cell(course_title)
        due, completed = _date(dates, due_on), _date(dates, completed_on)
        if quizzes:
            struggling = _lessons(lessons, row.struggling_with)
            out_of_attempts = _lessons(lessons, row.out_of_attempts)
        else:
            struggling = out_of_attempts = ""
        expired = expired_completion is not None
        lines.append(",".join((
            person, course,
            f"withdrawn {withdrawn_on.isoformat()}" if withdrawn_on else "in force",
            status, str(percent), due, completed,  # a string enum: its text
            _timeliness((completed_on - due_on).days) if completed_on else "",
            _hours(ce_hours) if ce_hours is not None else "",
            "revoked" if revoked else "valid" if completed_on else "",
            str(recur_months or ""),
            "" if expires_on is None or expired else _date(dates, expires_on),
            _date(dates, expires_on) if expired else "", str(cycle),
            cell("; ".join(_past(past, verification_url) for past in history))
            if history else "",
            f"{quizzes_passed} of {quiz_count}", struggling, out_of_attempts,
            cell(verification_url(certificate_code)) if certificate_code else "",
        )) + scores_text)
    return header, lines


class _CourseScores:
    """A course's best-score cells on a row, each behind its comma, then blank cells up to
    the widest course's. A clinic's CSV writes hundreds of thousands of scores: from what
    course_progress keeps ("1 2 5|100 80 40", learning/summary_operations.py), in C."""

    def __init__(self, positions: list[str], width: int):
        self.blank = dict.fromkeys(positions, "")  # a score for each quiz, in lesson order
        self.after_all = "," * (width - len(positions))
        # The positions of the course's first k quizzes, as kept -> the blank cells after
        # them: those who take the quizzes in order, most learners.
        self.after_first = {" ".join(positions[:k]): "," * (width - k)
                            for k in range(1, len(positions) + 1)}

    def cells(self, kept: str) -> str:
        positions, scores = kept.split("|")
        after = self.after_first.get(positions)
        if after is not None:  # scores are numbers (0-100): written as they are
            return "," + scores.replace(" ", ",") + after
        # Placed quiz by quiz (a position no longer a quiz's is left out: its course is
        # being counted again).
        found = self.blank.copy()
        found.update(zip(positions.split(), scores.split()))
        return ",".join(("", *map(found.get, self.blank))) + self.after_all


def _date(written: dict, day) -> str:
    """A date as written (a few dates recur on thousands of rows)."""
    text = written.get(day)
    if text is None:
        text = written[day] = day.isoformat()
    return text


def _lessons(written: dict, titles: tuple[str, ...]) -> str:
    """Lessons' titles as one cell, written once for each set of them."""
    text = written.get(titles)
    if text is None:
        text = written[titles] = cell("; ".join(titles))
    return text


# Thousands of rows share a few of each.
_timeliness = lru_cache(maxsize=1024)(timeliness)
_hours = lru_cache(maxsize=256)(lambda hours: cell(ce_hours(hours)))
