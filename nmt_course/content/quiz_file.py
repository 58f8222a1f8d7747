"""Parse and validate one quiz file (`quizzes/<course>/<lesson>.yaml`) into a QuizSource."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from .fields import FieldChecker, content_hash, read_text
from .markdown import plain_text, render_block
from .model import (QUESTION_TYPES, REVIEW_AFTER_FAIL, ChoiceSource, QuestionSource,
                    QuizSource)
from .source import ContentError, LineMap, parse_yaml

ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
QUIZ_KEYS = ("pass_mark", "max_attempts", "draw", "review_after_fail", "questions")
QUESTION_KEYS = ("id", "type", "objective", "prompt", "choices", "answer", "explanation")
CHOICE_KEYS = ("id", "text", "correct", "feedback")


def load_quiz(path: Path, lesson_slug: str, check: FieldChecker,
              objective_ids: Sequence[str | None] | None) -> QuizSource | None:
    """The quiz in `path`, or None after recording its problems. `objective_ids` are the ids
    of its lesson's objectives in order, None for one without (None when the lesson itself
    failed to parse)."""
    text = read_text(path, check)
    if text is None:
        return None
    try:
        data = parse_yaml(text)
    except ContentError as error:
        check.error(error.line, error.message)
        return None
    if not isinstance(data, LineMap):
        check.error(1, "a quiz file holds pass_mark, max_attempts and a list of questions")
        return None
    check.keys(data, QUIZ_KEYS, "a quiz")
    pass_mark = check.whole_number(data, "pass_mark", 80, low=1, high=100)
    max_attempts = check.whole_number(data, "max_attempts", 0, low=0)
    review = check.one_of(data, "review_after_fail", REVIEW_AFTER_FAIL, "objectives")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        check.error(data.line_of("questions"), "the quiz has no questions")
        return None
    draw = None
    if "draw" in data:
        draw = check.whole_number(data, "draw", len(items), low=1, high=len(items))
    questions: list[QuestionSource] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        if not isinstance(item, LineMap):
            check.error(data.line_of("questions"), f"question {index} must be a set of "
                                                   "'key: value' lines")
            continue
        key = str(item.get("id"))
        if key in seen:
            check.error(item.line_of("id"), f"duplicate question id '{key}' "
                                            f"(also on line {seen[key]})")
            continue
        seen[key] = item.line_of("id")
        question = _load_question(item, index, check, objective_ids)
        if question is not None:
            questions.append(question)
    if check.failed:
        return None
    quiz = QuizSource(path=check.path, lesson_slug=lesson_slug, pass_mark=pass_mark,
                      max_attempts=max_attempts, questions=tuple(questions), content_hash="",
                      draw=draw, review_after_fail=review, line=data.line)
    return dataclasses.replace(quiz, content_hash=content_hash(quiz.canonical()))


def _item_id(mapping: LineMap, default: str | None, what: str,
             check: FieldChecker) -> str | None:
    value = mapping.get("id", default)
    if value is None:
        check.error(mapping.line, f"{what} has no id (a stable name such as 'tp-definition')")
        return None
    key = str(value)
    if isinstance(value, bool):
        check.error(mapping.line_of("id"), f"{what} id reads as {key.lower()} in YAML; put it "
                                           "in quotes")
        return None
    if not ITEM_ID.match(key):
        check.error(mapping.line_of("id"), f"{what} id '{key}' may only use letters, digits, "
                                           "'-' and '_'")
        return None
    return key


def _objective(item: LineMap, key: str | None, check: FieldChecker,
               objective_ids: Sequence[str | None] | None) -> int | None:
    """The number of the lesson objective the question tests: `objective:` is that number
    (1, 2, ...) or the objective's id."""
    if "objective" not in item:
        return None
    value = item["objective"]
    if isinstance(value, str) and ITEM_ID.match(value):
        if objective_ids is None:
            return None  # the lesson failed to parse: its problems are reported
        if value in objective_ids:
            return objective_ids.index(value) + 1
        check.error(item.line_of("objective"), f"question '{key}' tests objective "
                    f"'{value}', which the lesson does not state (was it deleted?): choose "
                    "one of the lesson's objectives")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        check.error(item.line_of("objective"), f"objective must be the id or the number of "
                    f"one of the lesson's objectives (1, 2, ...), not {value!r}")
        return None
    count = len(objective_ids) if objective_ids is not None else None
    if count is not None and value > count:
        stated = f"states only {count}" if count else "states no objectives"
        check.error(item.line_of("objective"), f"question '{key}' tests objective {value}, but "
                                               f"the lesson {stated}")
        return None
    return value


def _load_question(item: LineMap, index: int, check: FieldChecker,
                   objective_ids: Sequence[str | None] | None) -> QuestionSource | None:
    check.keys(item, QUESTION_KEYS, "a question")
    key = _item_id(item, None, f"question {index}", check)
    kind = item.get("type")
    if kind not in QUESTION_TYPES:
        check.error(item.line_of("type"),
                    f"question type must be one of: {', '.join(QUESTION_TYPES)} (not {kind!r})")
        return None
    objective = _objective(item, key, check, objective_ids)
    prompt = check.text(item, "prompt", required=True)
    prompt_html = check.inline(prompt, item.line_of("prompt"), "prompt") if prompt else ""
    explanation = item.get("explanation") or ""
    if not isinstance(explanation, str):
        check.error(item.line_of("explanation"), "explanation must be text")
        explanation = ""
    elif not explanation.strip():
        check.warn(item.line, f"question '{key}' has no explanation to show after review")

    if kind == "true_false":
        choices = _true_false_choices(item, check)
    else:
        choices = _choices(item, kind, check)
    if key is None or choices is None or not prompt_html:
        return None
    return QuestionSource(key=key, type=kind, prompt_markdown=prompt, prompt_html=prompt_html,
                          explanation_markdown=explanation.strip(),
                          explanation_html=render_block(explanation), choices=choices,
                          objective=objective, line=item.line)


def _identical_choices(item: LineMap, choices: list[ChoiceSource], check: FieldChecker) -> bool:
    """An error for choices learners cannot tell apart: the same words once spacing and
    markup are set aside (case counts: GB is not Gb)."""
    first_seen: dict[str, int] = {}
    found = False
    for number, choice in enumerate(choices, start=1):
        text = " ".join(plain_text(choice.text_html).split())
        if text in first_seen:
            check.error(choice.line, f"choices {first_seen[text]} and {number} of question "
                                     f"'{item.get('id')}' read the same ('{text}'): learners "
                                     "cannot tell them apart; reword one or remove it")
            found = True
        first_seen.setdefault(text, number)
    return found


def _true_false_choices(item: LineMap, check: FieldChecker) -> tuple[ChoiceSource, ...] | None:
    if "choices" in item:
        check.error(item.line_of("choices"), "a true_false question takes 'answer: true' or "
                                             "'answer: false', not choices")
        return None
    answer = item.get("answer")
    if not isinstance(answer, bool):
        check.error(item.line_of("answer"), "a true_false question needs exactly one right "
                                            "answer: 'answer: true' or 'answer: false'")
        return None
    line = item.line_of("answer")
    return (ChoiceSource("true", "True", "True", answer is True, line=line),
            ChoiceSource("false", "False", "False", answer is False, line=line))


def _choices(item: LineMap, kind: str, check: FieldChecker) -> tuple[ChoiceSource, ...] | None:
    if "answer" in item:
        check.error(item.line_of("answer"), "'answer' is only for true_false questions; mark "
                                            "the right choices with 'correct: true'")
    entries = item.get("choices")
    if not isinstance(entries, list) or not entries:
        check.error(item.line_of("choices"), "the question's choices are empty")
        return None
    choices: list[ChoiceSource] = []
    seen: set[str] = set()
    failed = False
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, LineMap):
            check.error(item.line_of("choices"), f"choice {position} must have 'text:' (and "
                                                 "'correct: true' if it is right)")
            failed = True
            continue
        check.keys(entry, CHOICE_KEYS, "a choice")
        key = _item_id(entry, str(position), f"choice {position}", check)
        text = check.text(entry, "text", required=True)
        correct = check.flag(entry, "correct", False)
        feedback = check.text(entry, "feedback")
        if key in seen:
            check.error(entry.line_of("id"), f"duplicate choice id '{key}'")
            key = None
        if key is None or not text:
            failed = True
            continue
        seen.add(key)
        choices.append(ChoiceSource(
            key=key, text_markdown=text, text_html=check.inline(text, entry.line_of("text"),
                                                                "choice text"),
            correct=correct, feedback_markdown=feedback,
            feedback_html=check.inline(feedback, entry.line_of("feedback"), "feedback"),
            line=entry.line_of("text")))
    if failed or _identical_choices(item, choices, check):
        return None
    right = sum(choice.correct for choice in choices)
    if len(choices) < 2:
        check.error(item.line_of("choices"), "a question needs at least two choices")
    elif kind == "single" and right != 1:
        check.error(item.line_of("choices"), f"a single question needs exactly one right "
                                             f"answer ('correct: true'); it has {right}")
    elif kind == "multiple" and right == 0:
        check.error(item.line_of("choices"), "a multiple question needs at least one right "
                                             "answer ('correct: true')")
    else:
        return tuple(choices)
    return None
