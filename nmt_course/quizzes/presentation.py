"""What one attempt shows: which questions of the bank, in which order, with the choices in
which order. Pure. Computed from a keyed hash of learner, quiz version and attempt number, so
opening a quiz writes nothing and learners cannot predict or share it; stored with the
attempt when it is submitted, so a later change of key never changes what it was."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BankQuestion:
    """What the draw needs to know of a question."""

    key: str
    type: str
    objective: int | None
    choice_keys: tuple[str, ...]


@dataclass(frozen=True)
class Presentation:
    questions: tuple[str, ...]  # question keys, in the order shown
    choices: Mapping[str, tuple[str, ...]]  # question key: choice keys, in the order shown

    def as_json(self) -> dict:
        return {"questions": list(self.questions),
                "choices": {key: list(order) for key, order in self.choices.items()}}

    @classmethod
    def from_json(cls, data: Mapping) -> Presentation:
        return cls(tuple(data["questions"]),
                   {key: tuple(order) for key, order in data["choices"].items()})


def _rank(key: bytes, *parts: object) -> bytes:
    return hmac.new(key, "/".join(map(str, parts)).encode(), hashlib.sha256).digest()


def choice_order(key: bytes, *, learner: int, version: int, attempt: int, question: str,
                 choice_keys: Sequence[str]) -> list[str]:
    """A shuffled order of a question's choices that the server can reproduce."""
    return sorted(choice_keys, key=lambda choice: _rank(key, learner, version, attempt,
                                                         question, choice))


def draw_questions(key: bytes, *, learner: int, version: int, attempt: int,
                   bank: Sequence[BankQuestion], count: int) -> list[str]:
    """`count` question keys from the bank, in a shuffled order. Every objective the bank
    tests gets at least one question when `count` allows; which one is drawn by the hash too."""
    ranked = sorted(bank, key=lambda q: _rank(key, learner, version, attempt, "draw", q.key))
    chosen: list[str] = []
    covered: set[int] = set()
    for question in ranked:  # the best-ranked question of each objective first
        if len(chosen) == count:
            break
        if question.objective is not None and question.objective not in covered:
            covered.add(question.objective)
            chosen.append(question.key)
    for question in ranked:  # then the best-ranked of the rest
        if len(chosen) == count:
            break
        if question.key not in chosen:
            chosen.append(question.key)
    order = {question.key: index for index, question in enumerate(ranked)}
    return sorted(chosen, key=order.__getitem__)


def present(key: bytes, *, learner: int, version: int, attempt: int,
            bank: Sequence[BankQuestion], draw: int | None) -> Presentation:
    """The questions and choice orders of attempt `attempt`. Without a draw every question
    shows, in the authored order."""
    if draw is None:
        keys = [question.key for question in bank]
    else:
        keys = draw_questions(key, learner=learner, version=version, attempt=attempt,
                              bank=bank, count=min(draw, len(bank)))
    by_key = {question.key: question for question in bank}
    choices = {}
    for question_key in keys:
        question = by_key[question_key]
        if question.type == "true_false":
            choices[question_key] = question.choice_keys  # "True" before "False" reads best
        else:
            choices[question_key] = tuple(choice_order(
                key, learner=learner, version=version, attempt=attempt, question=question_key,
                choice_keys=question.choice_keys))
    return Presentation(tuple(keys), choices)
