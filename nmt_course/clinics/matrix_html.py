"""The report's person headers and the matrix's rows as HTML (pure). Written here, not in the
template, because a matrix of 500 staff by 10 courses has 5,000 cells: Jinja spends tens of
microseconds on each cell or macro call, string formatting a few. What repeats (a course's
title, a person's name, a date, a note) is escaped or formatted once. Everything a person
typed is escaped."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from ..formatting import ce_label, long_date
from .compliance import MatrixLine, ReportRow, Standing, Status, timeliness

ICONS = {"COMPLETED": "✓", "OVERDUE": "!", "IN_PROGRESS": "◐", "NOT_STARTED": "○"}
BADGES = {state: f'<span class="badge status-{state.name.lower()}"><span aria-hidden="true">'
                 f'{ICONS[state.name]}</span> {state.label}</span>' for state in Status}


# A matrix repeats a few dates and notes thousands of times: each is written once.
_date = lru_cache(maxsize=2048)(long_date)


@lru_cache(maxsize=1024)
def _note(days_late: int, ce_hours) -> str:
    """'completed 4 days late · 2 CEs', escaped."""
    note = timeliness(days_late)
    if ce_hours is not None:
        note += " · " + ce_label(ce_hours)
    return str(escape(note))


def who(row: ReportRow) -> Markup:
    """The row header naming a report row's person: name, standing, e-mail, licence."""
    parts = ['<th scope="row">', escape(row.name)]
    if row.standing is Standing.INVITED:
        parts.append(' <span class="badge status-not_started">Invited</span>')
    elif row.standing is Standing.FORMER and row.left_on is not None:
        parts.append(f' <span class="badge badge-draft">Left {_date(row.left_on)}</span>')
    parts.append(f'<span class="lesson-meta">{escape(row.email)}</span>')
    if row.licence_number:
        parts.append(f'<span class="lesson-meta">Licence {escape(row.licence_number)}')
        if row.licence_state:
            parts.append(f" ({escape(row.licence_state)})")
        parts.append("</span>")
    parts.append("</th>")
    return Markup("".join(parts))


def _cell(row: ReportRow, name: str, title: str, evidence: str, verify: str) -> str:
    """One course's cell for one person (`name` and `title` escaped already)."""
    parts = [BADGES[row.status]]
    if row.revoked:
        parts.append('<span class="lesson-meta">Certificate revoked</span>')
    if row.completed_on is None:
        if row.expired_completion is not None:
            parts.append(f'<span class="lesson-meta">Expired {_date(row.expires_on)}</span>')
        parts.append(f'<span class="lesson-meta">Due {_date(row.due)}</span>')
        return "".join(parts) + _cycles(row, name, title, verify)
    parts.append(f'<span class="lesson-meta">{_date(row.completed_on)}</span>'
                 f'<span class="lesson-meta">'
                 f'{_note((row.completed_on - row.due).days, row.ce_hours)}</span>')
    if row.expires_on is not None:
        parts.append(f'<span class="lesson-meta">Expires on {_date(row.expires_on)}</span>')
    if row.certificate_code:
        code = row.verification_code
        links = (f'<a href="{evidence}{code}">Certificate<span class="visually-hidden"> of '
                 f'{name} for {title}</span></a> · ' if row.evidence else "")
        links += (f'<a href="{verify}/{code}">Verify<span class="visually-hidden"> {name}\'s '
                  f'certificate for {title}</span></a>')
        parts.append(f'<span class="lesson-meta">{links}</span>')
    return "".join(parts) + _cycles(row, name, title, verify)


def cycles(row: ReportRow, verify: str) -> Markup:
    """A report row's new cycle of recurring training and its earlier ones, as the list
    view shows them under the row's completion (the matrix puts them in its cell)."""
    return Markup(_cycles(row, escape(row.name), escape(row.course_title), escape(verify)))


def _cycles(row: ReportRow, name: str, title: str, verify: str) -> str:
    """A new cycle of recurring training and the earlier ones (nmt_course/cycles.py), with
    `name`, `title` and `verify` escaped already."""
    if row.cycle == 1 and not row.history:
        return ""
    parts = [f'<span class="lesson-meta">Cycle {row.cycle}, due {_date(row.due)}</span>'
             if row.cycle > 1 else ""]
    for past in row.history:
        line = f"Cycle {past.number}: completed {_date(past.completed_on)}"
        if past.expired_on is not None:
            line += f", valid until {_date(past.expired_on)}"
        if past.certificate_code:
            line += (f' · <a href="{verify}/{past.verification_code}">Verify<span '
                     f'class="visually-hidden"> {name}\'s cycle {past.number} certificate for '
                     f'{title}</span></a>')
        parts.append(f'<span class="lesson-meta">{line}</span>')
    return "".join(parts)


def rows(lines: Sequence[MatrixLine], columns: Sequence[tuple[int, str]], *, evidence: str,
         verify: str) -> Markup:
    """The matrix's body rows: per person, their header and a <td> per course of `columns`
    (course id, title), in order. `evidence` and `verify` are the addresses a certificate's
    code is appended to."""
    evidence, verify = escape(evidence), escape(verify)
    courses = [(course_id, str(escape(title)), f'<td data-label="{escape(title)}">')
               for course_id, title in columns]
    html = []
    for line in lines:
        html.append("<tr>")
        html.append(who(line.first))
        name, cells = escape(line.first.name), line.cells
        for course_id, title, opening in courses:
            html.append(opening)
            row = cells.get(course_id)
            html.append("–" if row is None else _cell(row, name, title, evidence, verify))
            html.append("</td>")
        html.append("</tr>\n")
    return Markup("".join(html))
