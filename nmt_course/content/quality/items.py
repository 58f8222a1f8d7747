"""Item-writing flaws of single questions and of a quiz's options: give-away lengths,
options that point at others, negative stems, article clues, words the stem and the key
share."""
from __future__ import annotations

import re

from ..model import Problem, QuestionSource, QuizSource
from .common import CHOICE_TYPES, choice_questions, listed, more_than, text_of, warn

LONGEST_MIN_QUESTIONS, LONGEST_MAX_PERCENT = 5, 40
OUTLIER_RATIO_FIFTHS = 9  # 1.8 = 9/5, kept as a fraction so the boundary is exact
OUTLIER_FLOOR = 10
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


def longest_answer(quiz: QuizSource) -> list[Problem]:
    counted = [q for q in quiz.questions if q.type == "single" and len(q.choices) >= 3]
    if len(counted) < LONGEST_MIN_QUESTIONS:
        return []
    longest = []
    for question in counted:
        right = [len(text_of(c.text_html)) for c in question.choices if c.correct]
        wrong = [len(text_of(c.text_html)) for c in question.choices if not c.correct]
        if right[0] > max(wrong):
            longest.append(question.key)
    if not more_than(len(longest), len(counted), LONGEST_MAX_PERCENT):
        return []
    return [warn(quiz.path, quiz.line, "longest-answer",
                 f"the right answer is the longest choice in {len(longest)} of {len(counted)} "
                 f"single-answer questions ({listed(longest)}): learners can pass by picking "
                 "the longest; make wrong options as long and specific as the right one, or "
                 "shorten the right one")]


def outlier_options(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES or len(question.choices) < 2:
        return []
    lengths = [len(text_of(c.text_html)) for c in question.choices]
    problems = []
    for choice, length in zip(question.choices, lengths):
        others = len(lengths) - 1
        others_total = sum(lengths) - length
        # length > 1.8 * average and length - average >= floor, in whole numbers.
        if (5 * others * length > OUTLIER_RATIO_FIFTHS * others_total
                and others * length - others_total >= OUTLIER_FLOOR * others):
            average = others_total / others
            problems.append(warn(
                quiz.path, choice.line, "outlier-option",
                f"choice '{choice.key}' of question '{question.key}' is {length} characters, "
                f"{length / max(average, 1):.1f} times the {average:.0f}-character average of "
                "the others: an option that stands out gives itself away (or is dismissed); "
                "make the options alike in length and detail", question.key))
    return problems


def _refers_to_other_options(text: str) -> bool:
    whole = text.rstrip(" .!")
    return bool(_OF_THE_ABOVE.search(text) or _ALL_OF_THESE.fullmatch(whole)
                or _LETTER_COMBINATION.fullmatch(whole))


def combination_options(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    problems = []
    for choice in question.choices:
        text = text_of(choice.text_html)
        if _refers_to_other_options(text):
            problems.append(warn(
                quiz.path, choice.line, "all-none-of-the-above",
                f"choice '{choice.key}' of question '{question.key}' ('{text}') points at other "
                "options, so partial knowledge answers it; write each option as a complete, "
                "independent answer (or use a multiple question)", question.key))
    return problems


def _question_sentence(prompt_html: str) -> str:
    """The prompt's last sentence, with emphasised words in capitals (emphasis is what counts,
    whether it is **bold**, *italic* or typed in capitals)."""
    shouted = _EMPHASIS.sub(lambda match: match.group(2).upper(), prompt_html)
    sentences = [s for s in _SENTENCE_BREAK.split(text_of(shouted)) if s]
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


def negative_stem(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    word = _unemphasised_negative(_question_sentence(question.prompt_html))
    if word is None:
        return []
    return [warn(quiz.path, question.line, "negative-stem",
                 f"question '{question.key}' asks with '{word}' without emphasis: learners "
                 f"who read past it answer the opposite question; emphasise it "
                 f"(**{word.upper()}**) or ask it positively", question.key)]


def article_clue(quiz: QuizSource, question: QuestionSource) -> list[Problem]:
    if question.type not in CHOICE_TYPES:
        return []
    match = _ARTICLE_END.search(text_of(question.prompt_html))
    if not match:
        return []
    return [warn(quiz.path, question.line, "article-clue",
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
    return {_singular(word) for word in _WORD.findall(text_of(html).lower())
            if len(word) >= 4 and word not in STOP_WORDS}


def clang_association(quiz: QuizSource) -> list[Problem]:
    questions = choice_questions(quiz)
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
    if not more_than(len(clued), len(questions), CLANG_MAX_PERCENT):
        return []
    return [warn(quiz.path, quiz.line, "clang-association",
                 f"in {len(clued)} of {len(questions)} questions a word of the stem is in the "
                 f"right option and no wrong one: {listed(clued)}; learners can match words "
                 "instead of knowing the answer; repeat stem words in wrong options too, or "
                 "reword the right one")]
