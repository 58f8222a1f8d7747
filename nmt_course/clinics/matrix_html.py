"""The report matrix's cells as HTML (pure). Written here, not in the template, because a
matrix of 500 staff by 10 courses has 5,000 cells: Jinja spends tens of microseconds on each,
string formatting a few. Everything a person typed is escaped."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from ..formatting import ce_label, long_date
from .compliance import MatrixLine, ReportRow, Status, timeliness

ICONS = {"COMPLETED": "✓", "OVERDUE": "!", "IN_PROGRESS": "◐", "NOT_STARTED": "○"}
BADGES = {state: f'<span class="badge status-{state.name.lower()}"><span aria-hidden="true">'
                 f'{ICONS[state.name]}</span> {state.label}</span>' for state in Status}


# A matrix repeats a few dates thousands of times: each is written once.
_date = lru_cache(maxsize=2048)(long_date)


def _cell(row: ReportRow, evidence: str, verify: str) -> str:
    parts = [BADGES[row.status]]
    if row.revoked:
        parts.append('<span class="lesson-meta">Certificate revoked</span>')
    if row.completed_on is None:
        if row.expired:
            parts.append(f'<span class="lesson-meta">Expired {_date(row.expires_on)}</span>')
        parts.append(f'<span class="lesson-meta">Due {_date(row.due)}</span>')
        return "".join(parts)
    note = timeliness(row.days_late)
    if row.ce_hours is not None:
        note += " · " + ce_label(row.ce_hours)
    parts.append(f'<span class="lesson-meta">{_date(row.completed_on)}</span>'
                 f'<span class="lesson-meta">{escape(note)}</span>')
    if row.expires_on is not None:
        parts.append(f'<span class="lesson-meta">Expires on {_date(row.expires_on)}</span>')
    if row.certificate_code:
        name, title, code = escape(row.name), escape(row.course_title), row.verification_code
        links = (f'<a href="{evidence}{code}">Certificate<span class="visually-hidden"> of '
                 f'{name} for {title}</span></a> · ' if row.evidence else "")
        links += (f'<a href="{verify}/{code}">Verify<span class="visually-hidden"> {name}\'s '
                  f'certificate for {title}</span></a>')
        parts.append(f'<span class="lesson-meta">{links}</span>')
    return "".join(parts)


def cells(line: MatrixLine, columns: Sequence[tuple[int, str]], *, evidence: str,
          verify: str) -> Markup:
    """One person's cells, a <td> per course of `columns` (course id, title), in order:
    `evidence` and `verify` are the addresses a certificate's code is appended to."""
    evidence, verify = escape(evidence), escape(verify)
    return Markup("".join(
        f'<td data-label="{escape(title)}">'
        + (_cell(line.cells[course_id], evidence, verify) if course_id in line.cells else "–")
        + "</td>" for course_id, title in columns))
