"""Item-writing flaws in quiz questions, for instructors: the part of the 19-criteria
item-quality rubric from item-writing research (Haladyna, Downing & Rodriguez; Tarrant et
al.) that can be found in the text. Pure: content dataclasses in, WARNING problems out.

Every problem names `path:line`, says what is wrong and how to fix it in the author's terms
(questions by id, lessons by title; never a file or a document, since the browser shows
the message alone), and carries a stable `rule` name (and the question's key when it is
about one question):

- longest-answer: in a quiz with 5+ single questions of 3+ choices, the right choice is
  strictly the longest in more than 40 % of them.
- outlier-option: in a single or multiple question, a choice more than 1.8 times the average
  length of the others. Floor: ignored when it is less than 10 characters longer than that
  average, so short options ("Once" beside "Twice daily") do not trip it.
- one-sided-true-false: more than 75 % of a quiz's true/false keys alike (4+ true/false
  questions); or, over the course (8+ true/false questions), 'true' keys outside 30-70 %.
- all-none-of-the-above: "all/none of the above", "all of these", "both"/"neither" alone,
  and letter combinations ("A and C", "both A and B", "A, B and C", "neither A nor B").
- absolute-terms: absolute words (always, never, only, must, every, any, all, none, proven,
  cure...) in wrong options of 3+ of a quiz's single/multiple questions, and more than
  twice as often among its wrong options as among its right ones (cues.py).
- negative-stem: not/except/least, neither bold/italic nor in capitals, in the question
  sentence of a single/multiple stem (the prompt's last sentence; a vignette before it does
  not count). "at least" is not a negative. True/false statements are left out: they have
  no question sentence, and their "not" is usually a condition ("if it does not soften").
- article-clue: a single/multiple stem ending in "a"/"an" (then optionally ":", "...",
  "___"), which rules out options that do not fit the article.
- clang-association: in more than 40 % of a quiz's single/multiple questions (floor: 5 of
  them, as a share of fewer says little), a content word of the stem (4+ letters, not a stop
  word such as "which" or "client", plurals matched) is in a right option and no wrong one.
- duplicate-prompt: two questions of the course with the same prompt (case, whitespace and
  punctuation ignored); reported at the later one.
- qualifier-imbalance: in a quiz, the true/false statements of one kind (true, or false)
  carry qualifiers (only, any, requires, main, reliably...) in 3+ statements and 40 points
  more often than those of the other kind.
- only-cautious-key: in 3+ single questions of a quiz the key is the only option that stops,
  pauses or refers, and that happens more often than a wrong option does so.
- choose-all-mostly-right: more than half of a quiz's 3+ choose-all (multiple) questions, or
  of the course's 6+, have more right options than wrong ones.
- untested-objective: an objective of a lesson with a quiz that no question names with
  `objective: N`; reported at the lesson's `objectives:` line.

Choices are compared as plain text (Markdown and HTML stripped, whitespace collapsed);
lengths are in characters. Shares are compared in whole numbers, so "exactly 40 %" is exact.
"""
from __future__ import annotations

from ..model import CourseSource, Problem
from .banks import duplicate_prompts, one_sided_course, one_sided_quiz, untested_objectives
from .common import CHOICE_TYPES
from .cues import (absolute_terms, choose_all_mostly_right, choose_all_mostly_right_in_course,
                   only_cautious_key, qualifier_imbalance)
from .items import (article_clue, clang_association, combination_options, longest_answer,
                    negative_stem, outlier_options)

__all__ = ["CHOICE_TYPES", "check_quality"]

_QUIZ_RULES = (longest_answer, one_sided_quiz, absolute_terms, clang_association,
               qualifier_imbalance, only_cautious_key, choose_all_mostly_right)
_QUESTION_RULES = (outlier_options, combination_options, negative_stem, article_clue)
_COURSE_RULES = (one_sided_course, duplicate_prompts, choose_all_mostly_right_in_course)


def check_quality(course: CourseSource) -> list[Problem]:
    """Item-writing warnings for every quiz of the course (Severity.WARNING), in file order."""
    problems: list[Problem] = []
    for lesson in course.lessons:
        if lesson.quiz is None:
            continue
        quiz = lesson.quiz
        problems += untested_objectives(lesson, quiz)
        for quiz_rule in _QUIZ_RULES:
            problems += quiz_rule(quiz)
        for question in quiz.questions:
            for question_rule in _QUESTION_RULES:
                problems += question_rule(quiz, question)
    for course_rule in _COURSE_RULES:
        problems += course_rule(course)
    return sorted(problems, key=lambda problem: (problem.path, problem.line))
