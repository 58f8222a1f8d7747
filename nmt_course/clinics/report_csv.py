"""The clinic report's CSV: its header and lines, from the report's rows (pure; the page
writes them through csv_safe)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

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
    numbers: dict[int, dict[str, int]] = {}  # course -> lesson position -> column
    for course_id, position, _ in quizzes:
        columns = numbers.setdefault(course_id, {})
        columns[str(position)] = len(columns)
    if len(numbers) == 1:
        header = HEADER + [f"best score: {title}" for _, _, title in quizzes]
    else:
        header = HEADER + [f"best score: quiz {n}" for n in range(
            1, max(map(len, numbers.values()), default=0) + 1)]
    width = len(header) - len(HEADER)
    lines = []
    for row in rows:
        cells = [""] * width
        columns = numbers.get(row.course_id, {})
        for part in row.best_scores.split():
            position, best = part.split(":")
            n = columns.get(position)
            if n is not None:
                cells[n] = best
        lines.append([
            row.family_name, row.name, row.email, _standing(row), row.licence_number or "",
            row.licence_state or "", row.course_title,
            f"withdrawn {row.withdrawn_on.isoformat()}" if row.withdrawn_on else "in force",
            row.status.value, row.percent,
            row.due.isoformat(), row.completed_on.isoformat() if row.completed_on else "",
            timeliness(row.days_late), ce_hours(row.ce_hours) if row.ce_hours is not None
            else "", "revoked" if row.revoked else "valid" if row.completed_on else "",
            row.recur_months or "", "" if row.expired or row.expires_on is None
            else row.expires_on.isoformat(),
            row.expires_on.isoformat() if row.expired else "", row.cycle,
            "; ".join(_past(cycle, verification_url) for cycle in row.history),
            f"{row.quizzes_passed} of {row.quiz_count}", "; ".join(row.struggling_with),
            "; ".join(row.out_of_attempts),
            verification_url(row.certificate_code) if row.certificate_code else ""] + cells)
    return header, lines
