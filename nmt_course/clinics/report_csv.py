"""The clinic report's CSV: its header and lines, from the report's rows (pure; the page
writes them through csv_safe)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import repeat

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
    return row.standing.value


def _past(cycle: PastCycle, verification_url: Callable[[str], str]) -> str:
    """An earlier cycle in a cell: "cycle 1: completed 2025-01-12, valid until 2026-01-12, <url>"."""
    parts = [f"cycle {cycle.number}: completed {cycle.completed_on.isoformat()}"]
    if cycle.expired_on is not None:
        parts.append(f"valid until {cycle.expired_on.isoformat()}")
    if cycle.certificate_code:
        parts.append(verification_url(cycle.certificate_code))
    return ", ".join(parts)


def report_csv(rows: Sequence[ReportRow], quizzes: Sequence[tuple[int, int, str]],
               verification_url: Callable[[str], str]) -> tuple[list[str], list[list]]:
    """The header and one line per row, then the person's best score at each quiz, blank if
    not tried: `quizzes` (course id, lesson position, lesson title) are the rows' courses'
    quizzes (the rows hold their best scores, `best_scores`). For one course, a
    column per quiz, named by its lesson; for several, column n is each row's course's n-th
    quiz (in lesson order), so the file stays as narrow as the longest course."""
    positions: dict[int, list[str]] = {}  # course -> its quizzes' lesson positions, in order
    for course_id, position, _ in quizzes:
        positions.setdefault(course_id, []).append(str(position))
    if len(positions) == 1:
        header = HEADER + [f"best score: {title}" for _, _, title in quizzes]
    else:
        header = HEADER + [f"best score: quiz {n}" for n in range(
            1, max(map(len, positions.values()), default=0) + 1)]
    width = len(header) - len(HEADER)
    # Each course's columns, blanks after its last quiz up to the widest course's.
    columns = {course_id: (found, [""] * (width - len(found)))
               for course_id, found in positions.items()}
    no_quizzes = ([], [""] * width)
    lines = []
    for row in rows:
        found, blanks = columns.get(row.course_id, no_quizzes)
        # "position:score position:score ..." -> {position: score}, in C: a clinic's CSV
        # reads tens of thousands of scores.
        parts = row.best_scores.replace(":", " ").split()
        scores = dict(zip(parts[::2], parts[1::2]))
        quizzes_of_row = row.quizzes
        completed_on, expires_on = row.completed_on, row.expires_on
        lines.append([
            row.family_name, row.name, row.email, _standing(row), row.licence_number or "",
            row.licence_state or "", row.course_title,
            f"withdrawn {row.withdrawn_on.isoformat()}" if row.withdrawn_on else "in force",
            row.status.value, row.percent, row.due.isoformat(),
            completed_on.isoformat() if completed_on else "",
            _timeliness((completed_on - row.due).days) if completed_on else "",
            _hours(row.ce_hours) if row.ce_hours is not None else "",
            "revoked" if row.revoked else "valid" if completed_on else "",
            row.recur_months or "",
            "" if expires_on is None or row.expired else expires_on.isoformat(),
            expires_on.isoformat() if row.expired else "", row.cycle,
            "; ".join(_past(cycle, verification_url) for cycle in row.history),
            f"{row.quizzes_passed} of {row.quiz_count}",
            "; ".join(row.struggling_with) if quizzes_of_row else "",
            "; ".join(row.out_of_attempts) if quizzes_of_row else "",
            verification_url(row.certificate_code) if row.certificate_code else "",
            *map(scores.get, found, _BLANKS), *blanks])
    return header, lines


# Thousands of rows share a few of each.
_timeliness = lru_cache(maxsize=1024)(timeliness)
_hours = lru_cache(maxsize=256)(ce_hours)
_BLANKS = repeat("")  # a score not found: blank
