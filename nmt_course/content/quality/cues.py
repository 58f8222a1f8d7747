"""Cues a test-wise learner uses to answer without knowing: absolute words in wrong options,
qualifiers that mark false statements, the key as the only cautious option, choose-all
questions whose options are mostly right. Each is a pattern over a bank (or the course),
never one word in one question."""
from __future__ import annotations

import re

from ..model import ChoiceSource, CourseSource, Problem, QuestionSource, QuizSource
from .common import choice_questions, listed, more_than, text_of, warn

ABSOLUTE_MIN_QUESTIONS = 3
ABSOLUTE_RATE_TIMES = 2  # wrong options carry absolutes more than twice as often as keys
QUALIFIER_MIN_STATEMENTS, QUALIFIER_GAP_PERCENT = 3, 40
CAUTIOUS_MIN_QUESTIONS = 3
CHOOSE_ALL_MIN_QUIZ, CHOOSE_ALL_MIN_COURSE, CHOOSE_ALL_MAX_PERCENT = 3, 6, 50

_ABSOLUTE = re.compile(r"\b(always|never|only|must|completely|entirely|guaranteed|every|any|"
                       r"all|none|proven|cures?|cured|permanently|definitely|certainly|"
                       r"eliminates?)\b", re.I)
_QUALIFIER = re.compile(_ABSOLUTE.pattern[:-3] + r"|requires?|required|reliably|main|mainly|"
                        r"primary|primarily|solely|exclusively|invariably|best|most)\b", re.I)
_CAUTIOUS = re.compile(r"\b(refer|referral|referring|stop|stops|stopping|pause|discontinue|"
                       r"postpone|defer|physician|doctor|gp|medical|emergency|911|ambulance|"
                       r"clearance|do not treat|don't treat|hold off|withhold|seek (?:care|help|"
                       r"advice)|consult)\b", re.I)


def _words(pattern: re.Pattern, html: str) -> set[str]:
    return {word.lower() for word in pattern.findall(text_of(html))}


def _absolutes(choice: ChoiceSource) -> set[str]:
    return _words(_ABSOLUTE, choice.text_html)


def absolute_terms(quiz: QuizSource) -> list[Problem]:
    """Absolute words in wrong options of 3+ questions, and more than twice as often in
    wrong options as in keys (never in keys counts too)."""
    questions = choice_questions(quiz)
    keys = [c for q in questions for c in q.choices if c.correct]
    wrong = [c for q in questions for c in q.choices if not c.correct]
    absolute_keys = sum(bool(_absolutes(c)) for c in keys)
    absolute_wrong = sum(bool(_absolutes(c)) for c in wrong)
    flagged, words = [], set()
    for question in questions:
        found = set().union(*(_absolutes(c) for c in question.choices if not c.correct))
        if found:
            flagged.append(question.key)
            words |= found
    if len(flagged) < ABSOLUTE_MIN_QUESTIONS or not wrong or (
            absolute_wrong * len(keys) <= ABSOLUTE_RATE_TIMES * absolute_keys * len(wrong)):
        return []
    return [warn(quiz.path, quiz.line, "absolute-terms",
                 f"absolute words ({listed(sorted(words))}) are in {absolute_wrong} of "
                 f"{len(wrong)} wrong options ({listed(flagged)}) but {absolute_keys} of "
                 f"{len(keys)} right ones: learners learn that absolutes mark wrong answers; "
                 "qualify them, or use absolutes in right answers as often")]


def qualifier_imbalance(quiz: QuizSource) -> list[Problem]:
    """True/false statements of one kind carry qualifiers (only, any, requires, main...)
    far more often than those of the other: at least 3 of them, 40 points more."""
    statements = {True: [], False: []}
    for question in quiz.questions:
        if question.type == "true_false":
            true = next(c.key for c in question.choices if c.correct) == "true"
            statements[true].append(question)
    if not (statements[True] and statements[False]):
        return []
    qualified = {kind: [q.key for q in found if _words(_QUALIFIER, q.prompt_html)]
                 for kind, found in statements.items()}
    share = {kind: len(qualified[kind]) * 100 / len(statements[kind]) for kind in statements}
    heavy = max(statements, key=lambda kind: share[kind])
    if (len(qualified[heavy]) < QUALIFIER_MIN_STATEMENTS
            or share[heavy] - share[not heavy] < QUALIFIER_GAP_PERCENT):
        return []
    name, other = ("true", "false") if heavy else ("false", "true")
    return [warn(quiz.path, quiz.line, "qualifier-imbalance",
                 f"{len(qualified[heavy])} of {len(statements[heavy])} {name} statements "
                 f"carry a qualifier such as only, any, requires or main "
                 f"({listed(qualified[heavy])}) but {len(qualified[not heavy])} of "
                 f"{len(statements[not heavy])} {other} ones: learners answer '{name}' "
                 "whenever they see one; qualify statements of both kinds alike")]


def _cautious(choice: ChoiceSource) -> bool:
    return bool(_CAUTIOUS.search(text_of(choice.text_html)))


def only_cautious_key(quiz: QuizSource) -> list[Problem]:
    """The key is the only option that stops, pauses or refers, in 3+ single questions and
    in more of them than there are questions with a cautious wrong option."""
    only, cautious_wrong = [], 0
    for question in quiz.questions:
        if question.type != "single":
            continue
        key_cautious = any(_cautious(c) for c in question.choices if c.correct)
        wrong_cautious = any(_cautious(c) for c in question.choices if not c.correct)
        cautious_wrong += wrong_cautious
        if key_cautious and not wrong_cautious:
            only.append(question.key)
    if len(only) < CAUTIOUS_MIN_QUESTIONS or len(only) <= cautious_wrong:
        return []
    return [warn(quiz.path, quiz.line, "only-cautious-key",
                 f"in {len(only)} questions ({listed(only)}) the key is the only option that "
                 f"stops, pauses or refers, and a wrong option does so in {cautious_wrong}: "
                 "learners who always pick the cautious option score without knowing; give "
                 "wrong options cautious wording too (stopping when it is not needed)")]


def _mostly_right(question: QuestionSource) -> bool:
    return more_than(sum(c.correct for c in question.choices), len(question.choices), 50)


def _choose_all(questions: list[QuestionSource]) -> tuple[list[str], int]:
    multiple = [q for q in questions if q.type == "multiple"]
    return [q.key for q in multiple if _mostly_right(q)], len(multiple)


def choose_all_mostly_right(quiz: QuizSource) -> list[Problem]:
    """Most options right in more than half of a quiz's 3+ choose-all questions."""
    mostly, total = _choose_all(list(quiz.questions))
    if total < CHOOSE_ALL_MIN_QUIZ or not more_than(len(mostly), total, CHOOSE_ALL_MAX_PERCENT):
        return []
    return [warn(quiz.path, quiz.line, "choose-all-mostly-right",
                 f"in {len(mostly)} of {total} choose-all questions ({listed(mostly)}) most "
                 "options are right: learners who tick nearly everything score well; vary "
                 "how many are right, from one to all but one")]


def choose_all_mostly_right_in_course(course: CourseSource) -> list[Problem]:
    """The same over the course (6+ choose-all questions), for quizzes with few of them."""
    questions = [q for lesson in course.lessons if lesson.quiz for q in lesson.quiz.questions]
    mostly, total = _choose_all(questions)
    if total < CHOOSE_ALL_MIN_COURSE or not more_than(len(mostly), total,
                                                       CHOOSE_ALL_MAX_PERCENT):
        return []
    return [warn(course.path, 1, "choose-all-mostly-right",
                 f"in {len(mostly)} of {total} choose-all questions of the course most options "
                 "are right: learners who tick nearly everything score well; vary how many "
                 "are right, from one to all but one")]
