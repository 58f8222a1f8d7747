"""The clinic report's CSV: its header and lines, from the report's rows (pure; the page
writes them through csv_safe)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..formatting import ce_hours
from .compliance import ReportRow, Standing, timeliness

HEADER = ["family name", "name", "e-mail", "staff", "licence number", "licence state",
          "course", "assignment", "status", "progress %", "due date", "completed on",
          "completed vs due",
          "CE hours", "certificate", "quizzes passed", "struggling with",
          "out of attempts at", "verification"]


def _standing(row: ReportRow) -> str:
    if row.standing is Standing.FORMER and row.left_on is not None:
        return f"former staff (left {row.left_on.isoformat()})"
    return row.standing.value


def report_csv(rows: Sequence[ReportRow], quizzes: Sequence[tuple[int, int, str]],
               titles: dict[int, str],
               verification_url: Callable[[str], str]) -> tuple[list[str], list[list]]:
    """The header and one line per row; `quizzes` (course id, lesson position, lesson title)
    gives one column per quiz: the person's best score in it, blank if not tried."""
    courses = {course_id for course_id, _, _ in quizzes}
    several = len(courses) > 1
    header = HEADER + [f"best score: {titles[course_id]}: {title}" if several
                       else f"best score: {title}" for course_id, _, title in quizzes]
    column = {(course_id, position): n for n, (course_id, position, _) in enumerate(quizzes)}
    lines = []
    for row in rows:
        scores = [""] * len(quizzes)
        for quiz in row.quizzes:
            n = column.get((row.course_id, quiz.position))
            if n is not None:
                scores[n] = quiz.best_score
        lines.append([
            row.family_name, row.name, row.email, _standing(row), row.licence_number or "",
            row.licence_state or "", row.course_title,
            f"withdrawn {row.withdrawn_on.isoformat()}" if row.withdrawn_on else "in force",
            row.status.value, row.percent,
            row.due.isoformat(), row.completed_on.isoformat() if row.completed_on else "",
            timeliness(row.days_late), ce_hours(row.ce_hours) if row.ce_hours is not None
            else "", "revoked" if row.revoked else "valid" if row.completed_on else "",
            f"{row.quizzes_passed} of {row.quiz_count}", "; ".join(row.struggling_with),
            "; ".join(row.out_of_attempts),
            verification_url(row.certificate_code) if row.certificate_code else ""] + scores)
    return header, lines
