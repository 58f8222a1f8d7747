"""A quiz question between the editor's form and the quiz file, and the problems of `content
check` tied to the question they are about."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from wtforms import SelectChoice

from ..content import Problem
from ..text import one_line

CHOICE_ROWS = 6  # choice rows the question editor offers
PROMPT_RULES = {"negative-stem", "article-clue", "duplicate-prompt"}


def question_to_form_data(item: dict | None, type_hint: str | None) -> dict:
    """The editor's fields for a question of the quiz file (or a new one)."""
    item = item or {"type": type_hint if type_hint in ("single", "multiple", "true_false")
                    else "single"}
    choices = [{"text": str(c.get("text", "")), "correct": bool(c.get("correct")),
                "feedback": str(c.get("feedback") or "")} for c in item.get("choices") or []]
    choices += [{"text": "", "correct": False, "feedback": ""}] * (CHOICE_ROWS - len(choices))
    return {"key": str(item.get("id") or ""), "type": item.get("type", "single"),
            "objective": str(item.get("objective") or ""),
            "prompt": str(item.get("prompt") or ""),
            "answer": "true" if item.get("answer", True) else "false",
            "choices": choices[:CHOICE_ROWS], "explanation": str(item.get("explanation") or ""),
            "right": next((str(row) for row, c in enumerate(choices[:CHOICE_ROWS])
                           if c["correct"]), None)}


def objective_choices(objectives: list[tuple[str, str]], current: str | None) -> list:
    """The objective menu: the lesson's objectives by id, and the one the question names if
    it was deleted from the lesson (kept, and flagged, until the author chooses)."""
    choices = [SelectChoice("", "None")] + [
        SelectChoice(key, f"{number}. {text}") for number, (key, text) in
        enumerate(objectives, start=1)]
    if current and current not in dict(objectives):
        choices.append(SelectChoice(current, f"[{current}] deleted from the lesson: choose "
                                             "another"))
    return choices


def question_from_form(form, existing: dict | None) -> tuple[dict, list[tuple[str, str]]]:
    """The question as the quiz file holds it, and the editor's errors ([(field, message)])."""
    errors: list[tuple[str, str]] = []
    item: dict = {"id": one_line(form.key.data), "type": form.type.data}
    if form.objective.data:
        item["objective"] = form.objective.data  # the objective's id
    item["prompt"] = " ".join(form.prompt.data.split())  # one paragraph, as files need
    if form.type.data == "true_false":
        item["answer"] = form.answer.data == "true"
    else:
        old_ids = [str(c.get("id")) for c in (existing or {}).get("choices") or []
                   if c.get("id") is not None]
        choices = []
        # A single-answer question's key is a radio button, the others' checkboxes. Only a
        # radio button sent counts (the field's initial value is the question as loaded).
        right = form.right.raw_data[0] if form.right.raw_data else None
        for row, entry in enumerate(form.choices.entries):
            text = one_line(entry.form.text.data)
            if not text:
                continue
            choice = {"id": old_ids[row] if row < len(old_ids) else f"c{row + 1}",
                      "text": text}
            if entry.form.correct.data or right == str(row):
                choice["correct"] = True
            if one_line(entry.form.feedback.data):
                choice["feedback"] = one_line(entry.form.feedback.data)
            choices.append(choice)
        right = sum(1 for c in choices if c.get("correct"))
        if len(choices) < 2:
            errors.append(("choices", "Write at least two choices."))
        elif form.type.data == "single" and right != 1:
            errors.append(("choices", "Mark exactly one choice as the right answer."))
        elif form.type.data == "multiple" and right == 0:
            errors.append(("choices", "Mark at least one choice as right."))
        _unique_ids(choices)
        item["choices"] = choices
    item["explanation"] = (form.explanation.data or "").strip()
    return item, errors


def _unique_ids(choices: list[dict]) -> None:
    """Kept ids stay; a new choice whose made-up id is taken gets a free one."""
    seen: set[str] = set()
    for number, choice in enumerate(choices, start=1):
        if choice["id"] in seen:
            candidate = number
            while f"c{candidate}" in seen:
                candidate += 1
            choice["id"] = f"c{candidate}"
        seen.add(choice["id"])


def question_problems(problems: Iterable[Problem],
                      lines: list[tuple[int, str]]) -> dict[str, list[Problem]]:
    """{question id: its problems}: named by the checker, or found by the line they are on."""
    starts = sorted(lines)
    found: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        key = problem.question
        if not key:
            before = [k for line, k in starts if line <= problem.line]
            key = before[-1] if before and starts and problem.line >= starts[0][0] else ""
        if key:
            found[key].append(problem)
    return dict(found)
