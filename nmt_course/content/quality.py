"""Item-writing flaws in quiz questions, for instructors: the part of the 19-criteria
item-quality rubric from item-writing research (Haladyna, Downing & Rodriguez; Tarrant et
al.) that can be found in the text. Pure: content dataclasses in, WARNING problems out.

Every problem names `path:line`, says what is wrong and how to fix it, and carries a stable
`rule` name (and the question's key when it is about one question):

- longest-answer: in a quiz with 5+ single questions of 3+ choices, the right choice is
  strictly the longest in more than 40 % of them.
- outlier-option: in a single or multiple question, a choice more than 1.8 times the average
  length of the others. Floor: ignored when it is less than 10 characters longer than that
  average, so short options ("Once" beside "Twice daily") do not trip it.
- one-sided-true-false: more than 75 % of a quiz's true/false keys alike (4+ true/false
  questions); or, over the course (8+ true/false questions), 'true' keys outside 30-70 %.
- all-none-of-the-above: "all/none of the above", "all of these", "both"/"neither" alone,
  and letter combinations ("A and C", "both A and B", "A, B and C", "neither A nor B").
- absolute-terms: always/never/only/must/completely/guaranteed in wrong options of 3+ of a
  quiz's single/multiple questions and in none of its right options.
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
- untested-objective: an objective of a lesson with a quiz that no question names with
  `objective: N`; reported at the lesson's `objectives:` line.

Choices are compared as plain text (Markdown and HTML stripped, whitespace collapsed);
lengths are in characters. Shares are compared in whole numbers, so "exactly 40 %" is exact.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .markdown import plain_text
from .model import (ChoiceSource, CourseSource, LessonSource, Problem, QuestionSource,
                    QuizSource, Severity)

CHOICE_TYPES = ("single", "multiple")  # questions whose options are written by the author

LONGEST_MIN_QUESTIONS, LONGEST_MAX_PERCENT = 5, 40
OUTLIER_RATIO_FIFTHS = 9  # 1.8 = 9/5, kept as a fraction so the boundary is exact
OUTLIER_FLOOR = 10
QUIZ_TRUE_FALSE_MIN, QUIZ_TRUE_FALSE_MAX_PERCENT = 4, 75
COURSE_TRUE_FALSE_MIN, COURSE_TRUE_LOW_PERCENT, COURSE_TRUE_HIGH_PERCENT = 8, 30, 70
ABSOLUTE_MIN_QUESTIONS = 3
CLANG_MIN_QUESTIONS, CLANG_MAX_PERCENT = 5, 40

_OF_THE_ABOVE = re.compile(r"\b(?:all|none|both|neither|any)\s+(?:of\s+)?the\s+above\b", re.I)
_ALL_OF_THESE = re.compile(
    r"(?:(?:all|none|both|neither)\s+of\s+(?:these|them|those|the\s+(?:other\s+)?"
    r"(?:options|choices|answers))(?:\s+(?:are|is)\s+(?:correct|true|right))?|both|neither)",
    re.I)
_LETTER = r"\(?[A-F]\)?"
_LETTER_COMBINATION = re.compile(
    rf"(?:(?:options?|choices?|answers?)\s+)?(?:both\s+|neither\s+|only\s+)?{_LETTER}"
    rf"(?:(?:\s*,\s*|\s*,?\s+(?:and|or|nor|&)\s+|\s*&\s*){_LETTER})+(?:\s+only)?", re.I)
_ABSOLUTE = re.compile(r"\b(always|never|only|must|completely|guaranteed)\b", re.I)
_NEGATIVE = re.compile(r"\b(not|except|least)\b", re.I)
_EMPHASIS = re.compile(r"<(strong|b|em|i|mark|u)>(.*?)</\1>", re.S)
_SENTENCE_BREAK = re.compile(r"(?<=[.?!:…])\s+")
# Case-sensitive: a capital "A" at the end is a name ("vitamin A", "plan A"), not an article.
_ARTICLE_END = re.compile(r"\b(a|an)(?:\s*(?:_+|…|\.\.\.|:))*\.?\s*$")
_WORD = re.compile(r"[^\W\d_]+")
_PUNCTUATION = re.compile(r"[^\w\s]")
STOP_WORDS = frozenset("""
    about above after again against also among another answer answers apply are because
    been before being below best between both cannot choice choices choose correct could
    describe describes does doing done down during each either every false following from
    have having here into just least less like likely many more most much must need none
    only other others over same select should some such than that their them then there
    these they this those through true under until upon very were what when where which
    while will with within without would your statement option options
    client clients patient patients therapist therapists
""".split())  # the last line: the people in nearly every vignette, which clue nothing


def check_quality(course: CourseSource) -> list[Problem]:
    """Item-writing warnings for every quiz of the course (Severity.WARNING), in file order."""
    problems: list[Problem] = []
    for lesson in course.lessons:
        if lesson.quiz is None:
            continue
        quiz = lesson.quiz
        problems += _untested_objectives(lesson, quiz)
        problems += _longest_answer(quiz)
        problems += _one_sided_quiz(quiz)
        problems += _absolute_terms(quiz)
        problems += _clang_association(quiz)
        for question in quiz.questions:
            problems += _outlier_options(quiz, question)
            problems += _combination_options(quiz, question)
            problems += _negative_stem(quiz, question)
            problems += _article_clue(quiz, question)
    problems += _one_sided_course(course)
    problems += _duplicate_prompts(course)
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


def _warn(path: str, line: int, rule: str, message: str, question: str = "") -> Problem:
    return Problem(path, line, message, Severity.WARNING, rule=rule, question=question)


def _text(html: str) -> str:
    return " ".join(plain_text(html).split())


def _more_than(part: int, whole: int, percent: int) -> bool:
    return part * 100 > whole * percent


def _choice_questions(quiz: QuizSource) -> list[QuestionSource]:
    return [q for q in quiz.questions if q.type in CHOICE_TYPES]


def _true_false_keys(questions: Iterable[QuestionSource]) -> list[str]:
    return [next(c.key for c in q.choices if c.correct)
            for q in questions if q.type == "true_false"]


def _listed(keys: Iterable[str]) -> str:
    return ", ".join(keys)


def _longest_answer(quiz: QuizSource) -> list[Problem]:
    counted = [q for q in quiz.questions if q.type == "single" and len(q.choices) >= 3]
    if len(counted) < LONGEST_MIN_QUESTIONS:
        return []
    longest = []
    for question in counted:
        right = [len(_text(c.text_html)) for c in question.choices if c.correct]
        wrong = [len(_text(c.text_html)) for c in question.choices if not c.correct]
        if right[0] > max(wrong):
            longest.append(question.key)
    if not _more_than(len(longest), len(counted), LONGEST_MAX_PERCENT):
        return []
    return [_warn(quiz.path, quiz.line, "longest-answer",
                  f"the right answer is the longest choice in {len(longest)} of {len(counted)} "
                  f"single-answer questions ({_listed(longest)}): learners can pass by picking "
                  "the longest; make wrong options as long and specific as the right one, or "
                  "shorten the right one")]


def _outlier_options(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES or len(question.choices) < 2:
        return []
    lengths = [len(_text(c.text_html)) for c in question.choices]
    problems = []
    for choice, length in zip(question.choices, lengths):
        others = len(lengths) - 1
        others_total = sum(lengths) - length
        # length > 1.8 * average and length - average >= floor, in whole numbers.
        if (5 * others * length > OUTLIER_RATIO_FIFTHS * others_total
                and others * length - others_total >= OUTLIER_FLOOR * others):
            average = others_total / others
            problems.append(_warn(
                quiz.path, choice.line, "outlier-option",
                f"choice '{choice.key}' of question '{question.key}' is {length} characters, "
                f"{length / max(average, 1):.1f} times the {average:.0f}-character average of "
                "the others: an option that stands out gives itself away (or is dismissed); "
                "make the options alike in length and detail", question.key))
    return problems


def _one_sided_quiz(quiz: QuizSource) -> list[Problem]:
    keys = _true_false_keys(quiz.questions)
    if len(keys) < QUIZ_TRUE_FALSE_MIN:
        return []
    key, count = Counter(keys).most_common(1)[0]
    if not _more_than(count, len(keys), QUIZ_TRUE_FALSE_MAX_PERCENT):
        return []
    return [_warn(quiz.path, quiz.line, "one-sided-true-false",
                  f"{count} of {len(keys)} true/false questions are keyed '{key}': learners who "
                  f"always answer '{key}' score well without knowing; rewrite some statements "
                  "as their opposite so that true and false are about even")]


def _one_sided_course(course: CourseSource) -> list[Problem]:
    keys = [key for lesson in course.lessons if lesson.quiz
            for key in _true_false_keys(lesson.quiz.questions)]
    if len(keys) < COURSE_TRUE_FALSE_MIN:
        return []
    trues = keys.count("true")
    if not (trues * 100 < len(keys) * COURSE_TRUE_LOW_PERCENT
            or _more_than(trues, len(keys), COURSE_TRUE_HIGH_PERCENT)):
        return []
    return [_warn(course.path, 1, "one-sided-true-false",
                  f"{trues} of {len(keys)} true/false questions in the course are keyed 'true' "
                  f"({round(trues * 100 / len(keys))} %): learners who guess one way gain; "
                  f"rewrite some statements as their opposite so that "
                  f"{COURSE_TRUE_LOW_PERCENT}-{COURSE_TRUE_HIGH_PERCENT} % are true")]


def _refers_to_other_options(text: str) -> bool:
    whole = text.rstrip(" .!")
    return bool(_OF_THE_ABOVE.search(text) or _ALL_OF_THESE.fullmatch(whole)
                or _LETTER_COMBINATION.fullmatch(whole))


def _combination_options(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    problems = []
    for choice in question.choices:
        text = _text(choice.text_html)
        if _refers_to_other_options(text):
            problems.append(_warn(
                quiz.path, choice.line, "all-none-of-the-above",
                f"choice '{choice.key}' of question '{question.key}' ('{text}') points at other "
                "options, so partial knowledge answers it; write each option as a complete, "
                "independent answer (or use a multiple question)", question.key))
    return problems


def _absolutes(choice: ChoiceSource) -> set[str]:
    return {word.lower() for word in _ABSOLUTE.findall(_text(choice.text_html))}


def _absolute_terms(quiz: QuizSource) -> list[Problem]:
    questions = _choice_questions(quiz)
    if any(_absolutes(c) for q in questions for c in q.choices if c.correct):
        return []
    flagged, words = [], set()
    for question in questions:
        found = set().union(*(_absolutes(c) for c in question.choices if not c.correct))
        if found:
            flagged.append(question.key)
            words |= found
    if len(flagged) < ABSOLUTE_MIN_QUESTIONS:
        return []
    return [_warn(quiz.path, quiz.line, "absolute-terms",
                  f"absolute words ({_listed(sorted(words))}) appear in wrong options of "
                  f"{len(flagged)} questions ({_listed(flagged)}) and in no right option: "
                  "learners learn that absolutes mark wrong answers; qualify them, or use "
                  "absolutes in right answers too")]


def _question_sentence(prompt_html: str) -> str:
    """The prompt's last sentence, with emphasised words in capitals (emphasis is what counts,
    whether it is **bold**, *italic* or typed in capitals)."""
    shouted = _EMPHASIS.sub(lambda match: match.group(2).upper(), prompt_html)
    sentences = [s for s in _SENTENCE_BREAK.split(_text(shouted)) if s]
    return sentences[-1] if sentences else ""


def _unemphasised_negative(sentence: str) -> str | None:
    for match in _NEGATIVE.finditer(sentence):
        word = match.group(1)
        if word.isupper():
            continue
        if word.lower() == "least" and sentence[:match.start()].lower().endswith("at "):
            continue  # "at least" sets a minimum; it does not negate the question
        return word
    return None


def _negative_stem(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    word = _unemphasised_negative(_question_sentence(question.prompt_html))
    if word is None:
        return []
    return [_warn(quiz.path, question.line, "negative-stem",
                  f"question '{question.key}' asks with '{word}' without emphasis: learners "
                  f"who read past it answer the opposite question; emphasise it "
                  f"(**{word.upper()}**) or ask it positively", question.key)]


def _article_clue(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    match = _ARTICLE_END.search(_text(question.prompt_html))
    if not match:
        return []
    return [_warn(quiz.path, question.line, "article-clue",
                  f"question '{question.key}' ends with the article '{match.group(1)}', which "
                  "rules out options that do not fit it; end the stem with 'a(n)' or move the "
                  "article into the options", question.key)]


def _singular(word: str) -> str:
    """A simple plural -> singular, so 'muscles' in a stem matches 'muscle' in an option."""
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
        return word[:-1]
    return word


def _content_words(html: str) -> set[str]:
    return {_singular(word) for word in _WORD.findall(_text(html).lower())
            if len(word) >= 4 and word not in STOP_WORDS}


def _clang_association(quiz: QuizSource) -> list[Problem]:
    questions = _choice_questions(quiz)
    if len(questions) < CLANG_MIN_QUESTIONS:
        return []
    clued = []
    for question in questions:
        stem = _content_words(question.prompt_html)
        right = set().union(*(_content_words(c.text_html) for c in question.choices
                              if c.correct))
        wrong = set().union(*(_content_words(c.text_html) for c in question.choices
                              if not c.correct))
        shared = sorted((stem & right) - wrong)
        if shared:
            clued.append(f"{question.key} ('{', '.join(shared)}')")
    if not _more_than(len(clued), len(questions), CLANG_MAX_PERCENT):
        return []
    return [_warn(quiz.path, quiz.line, "clang-association",
                  f"in {len(clued)} of {len(questions)} questions a word of the stem is in the "
                  f"right option and no wrong one: {_listed(clued)}; learners can match words "
                  "instead of knowing the answer; repeat stem words in wrong options too, or "
                  "reword the right one")]


def _normalised_prompt(question: QuestionSource) -> str:
    return " ".join(_PUNCTUATION.sub(" ", _text(question.prompt_html).lower()).split())


def _duplicate_prompts(course: CourseSource) -> list[Problem]:
    first_seen: dict[str, tuple[QuizSource, QuestionSource]] = {}
    problems = []
    for lesson in course.lessons:
        if lesson.quiz is None:
            continue
        for question in lesson.quiz.questions:
            prompt = _normalised_prompt(question)
            if not prompt:
                continue
            if prompt not in first_seen:
                first_seen[prompt] = (lesson.quiz, question)
                continue
            quiz, other = first_seen[prompt]
            problems.append(_warn(
                lesson.quiz.path, question.line, "duplicate-prompt",
                f"question '{question.key}' has the same prompt as '{other.key}' "
                f"({quiz.path}:{other.line}): learners meet one item twice; reword one to "
                "test something else, or delete it", question.key))
    return problems


def _untested_objectives(lesson: LessonSource, quiz: QuizSource) -> list[Problem]:
    tested = {question.objective for question in quiz.questions}
    return [_warn(lesson.path, lesson.objectives_line, "untested-objective",
                  f"objective {number} \"{' '.join(objective.split())}\" is tested by no "
                  f"question of {quiz.path}; add a question with 'objective: {number}'")
            for number, objective in enumerate(lesson.objectives, start=1)
            if number not in tested]
