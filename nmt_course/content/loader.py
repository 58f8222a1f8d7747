"""Parse and validate `lessons/` and `quizzes/` into plain data, collecting every problem."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .markdown import NotInline, count_words, render_block, render_document, render_inline
from .model import (COURSE_STATUSES, COURSE_TYPES, QUESTION_TYPES, WORDS_PER_MINUTE,
                    ChoiceSource, ContentSet, CourseSource, LessonSource, Problem,
                    QuestionSource, QuizSource, Severity, estimate_ce_hours)
from .source import ContentError, LineMap, decode_utf8, parse_front_matter, parse_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
LESSON_FILE = re.compile(r"^(\d{2,3})-(.+)\.md$")

COURSE_KEYS = ("title", "summary", "ce_hours", "course_type", "status", "approval_number",
               "requires_licence")
LESSON_KEYS = ("title", "slug", "minutes", "objectives")
QUIZ_KEYS = ("pass_mark", "max_attempts", "questions")
QUESTION_KEYS = ("id", "type", "prompt", "choices", "answer", "explanation")
CHOICE_KEYS = ("id", "text", "correct", "feedback")
MAX_TITLE = 200


def _hash(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class _Checker:
    """Reads one file's fields, recording a problem for each that is missing or wrong."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path
        self.failed = False

    def error(self, line: int, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.path, line, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    def keys(self, mapping: LineMap, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.error(mapping.line_of(key),
                           f"unknown key '{key}' in {where}; allowed keys: {', '.join(allowed)}")

    def text(self, mapping: LineMap, key: str, *, required: bool = False,
             max_length: int | None = None) -> str:
        value = mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(mapping.line_of(key), f"missing {key}")
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(mapping.line_of(key), f"{key} must be text")
            return ""
        value = str(value).strip()
        if max_length and len(value) > max_length:
            self.error(mapping.line_of(key), f"{key} is longer than {max_length} characters")
        return value

    def whole_number(self, mapping: LineMap, key: str, default: int, low: int,
                     high: int | None = None) -> int:
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.error(mapping.line_of(key), f"{key} must be a whole number {bounds}, "
                                             f"not {value!r}")
            return default
        return value

    def flag(self, mapping: LineMap, key: str, default: bool) -> bool:
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            self.error(mapping.line_of(key), f"{key} must be true or false, not {value!r}")
            return default
        return value

    def one_of(self, mapping: LineMap, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = mapping.get(key, default)
        if value not in allowed:
            self.error(mapping.line_of(key),
                       f"{key} must be one of: {', '.join(allowed)} (not {value!r})")
            return default
        return value

    def inline(self, source: str, line: int, what: str) -> str:
        try:
            return render_inline(source)
        except NotInline as error:
            self.error(line, f"{what}: {error}")
            return ""


def _read_text(path: Path, check: _Checker) -> str | None:
    try:
        return decode_utf8(path.read_bytes())
    except ContentError as error:
        check.error(error.line, error.message)
        return None


def _read_front_matter(path: Path, check: _Checker):
    text = _read_text(path, check)
    if text is None:
        return None
    try:
        return parse_front_matter(text)
    except ContentError as error:
        check.error(error.line, error.message)
        return None


def load_content(lessons_dir: Path, quizzes_dir: Path) -> ContentSet:
    """Parse every course under `lessons_dir` with its quizzes; report every problem found."""
    base = Path(lessons_dir).resolve().parent
    lessons_dir, quizzes_dir = Path(lessons_dir), Path(quizzes_dir)
    problems: list[Problem] = []

    def shown(path: Path) -> str:
        resolved = path.resolve()
        return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(path)

    if not lessons_dir.is_dir():
        problems.append(Problem(shown(lessons_dir), 1, "the lessons folder does not exist"))
        return ContentSet((), tuple(problems))

    course_dirs = sorted(p for p in lessons_dir.iterdir()
                         if p.is_dir() and not p.name.startswith("."))
    quiz_dirs = {p.name: p for p in quizzes_dir.iterdir()
                 if p.is_dir() and not p.name.startswith(".")} if quizzes_dir.is_dir() else {}
    for name in sorted(set(quiz_dirs) - {p.name for p in course_dirs}):
        problems.append(Problem(shown(quiz_dirs[name]), 1,
                                f"quizzes for course '{name}', which has no folder in "
                                f"{shown(lessons_dir)}/"))

    courses = []
    for course_dir in course_dirs:
        course = _load_course(course_dir, quiz_dirs.get(course_dir.name), problems, shown)
        if course is not None:
            courses.append(course)
    return ContentSet(tuple(courses), tuple(problems))


def _load_course(course_dir: Path, quiz_dir: Path | None, problems: list[Problem],
                 shown) -> CourseSource | None:
    course_file = course_dir / "course.md"
    check = _Checker(problems, shown(course_file))
    if not SLUG.match(course_dir.name):
        check.error(1, f"the course folder name '{course_dir.name}' must be lower-case words "
                       "joined by hyphens; it becomes the course's address")
    if not course_file.is_file():
        check.error(1, "missing course.md (the course's title, CE hours and description)")
        return None
    document = _read_front_matter(course_file, check)
    if document is None:
        return None
    meta = document.meta
    check.keys(meta, COURSE_KEYS, "course.md")
    title = check.text(meta, "title", required=True, max_length=MAX_TITLE)
    summary = check.text(meta, "summary", max_length=500)
    ce_hours = _ce_hours(meta, check)
    course_type = check.one_of(meta, "course_type", COURSE_TYPES, "Home Study")
    status = check.one_of(meta, "status", COURSE_STATUSES, "draft")
    approval_number = check.text(meta, "approval_number", max_length=100)
    requires_licence = check.flag(meta, "requires_licence", False)

    if not any(path.name != "course.md" for path in course_dir.glob("*.md")):
        check.error(1, "the course has no lessons (Markdown files named like 01-introduction.md)")
    lessons, lesson_files = _load_lessons(course_dir, problems, shown)
    lessons = _attach_quizzes(lessons, lesson_files, quiz_dir, course_dir.name, problems, shown)

    course = CourseSource(
        path=check.path, slug=course_dir.name, title=title, summary=summary, ce_hours=ce_hours,
        course_type=course_type, status=status, approval_number=approval_number,
        requires_licence=requires_licence, description_markdown=document.body.strip(),
        description_html=render_block(document.body), lessons=tuple(lessons))
    estimate = estimate_ce_hours(course.word_count, course.question_count)
    if ce_hours > estimate:
        check.warn(meta.line_of("ce_hours"),
                   f"ce_hours {ce_hours:f} is more than the {estimate.normalize():f} hours "
                   f"estimated from "
                   f"{course.word_count} words and {course.question_count} quiz questions")
    return dataclasses.replace(course, content_hash=_hash(_course_fingerprint(course)))


def _course_fingerprint(course: CourseSource) -> dict:
    fields = dataclasses.asdict(course)
    fields.pop("description_html")
    fields["lessons"] = [
        {"slug": lesson.slug, "position": lesson.position, "title": lesson.title,
         "minutes": lesson.minutes, "objectives": lesson.objectives,
         "body": lesson.body_markdown,
         "quiz": lesson.quiz.content_hash if lesson.quiz else None}
        for lesson in course.lessons
    ]
    return fields


def _ce_hours(meta: LineMap, check: _Checker) -> Decimal:
    value = meta.get("ce_hours")
    line = meta.line_of("ce_hours")
    if value is None:
        check.error(line, "missing ce_hours (the approved CE hours, printed on certificates)")
        return Decimal(0)
    try:
        hours = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        hours = Decimal("NaN")
    if not hours.is_finite() or hours <= 0 or hours > 100 or hours != hours.quantize(
            Decimal("0.01")):
        check.error(line, f"ce_hours must be a positive number such as 1.5, not {value!r}")
        return Decimal(0)
    return hours


def _load_lessons(course_dir: Path, problems: list[Problem],
                  shown) -> tuple[list[LessonSource], set[str]]:
    """The lessons that parsed, and the slugs of every lesson file (parsed or not)."""
    lessons: list[LessonSource] = []
    files: set[str] = set()
    by_slug: dict[str, str] = {}
    by_position: dict[int, str] = {}
    for path in sorted(course_dir.glob("*.md")):
        if path.name == "course.md":
            continue
        check = _Checker(problems, shown(path))
        match = LESSON_FILE.match(path.name)
        if not match:
            check.error(1, "lesson files are named NN-slug.md, for example 01-introduction.md")
            continue
        files.add(match.group(2))
        lesson = _load_lesson(path, int(match.group(1)), match.group(2), check)
        if lesson is None:
            continue
        files.add(lesson.slug)
        if lesson.slug in by_slug:
            check.error(1, f"slug '{lesson.slug}' is already used by {by_slug[lesson.slug]}")
        elif lesson.position in by_position:
            check.error(1, f"number {lesson.position:02d} is already used by "
                           f"{by_position[lesson.position]}")
        else:
            by_slug[lesson.slug] = path.name
            by_position[lesson.position] = path.name
            lessons.append(lesson)
    return lessons, files


def _load_lesson(path: Path, position: int, file_slug: str, check: _Checker) -> LessonSource | None:
    document = _read_front_matter(path, check)
    if document is None:
        return None
    meta = document.meta
    check.keys(meta, LESSON_KEYS, "a lesson")
    title = check.text(meta, "title", required=True, max_length=MAX_TITLE)
    slug = check.text(meta, "slug") or file_slug
    if not SLUG.match(slug) or len(slug) > 100:
        check.error(meta.line_of("slug"), f"the lesson slug '{slug}' must be lower-case words "
                                          "joined by hyphens; it becomes the lesson's address")
    objectives = meta.get("objectives", [])
    if not isinstance(objectives, list) or not all(
            isinstance(item, str) and item.strip() for item in objectives):
        check.error(meta.line_of("objectives"), "objectives must be a list of sentences")
        objectives = []
    elif not objectives:
        check.warn(meta.line, "no objectives: learners and boards expect a lesson to state them")

    body_html, used_h1 = render_document(document.body)
    if used_h1:
        check.warn(document.body_line, "level-1 headings ('# ...') are dropped; the lesson "
                                       "title is the page's heading, so start at '##'")
    words = count_words(body_html)
    if not words:
        check.error(document.body_line, "the lesson has no text below its front matter")
    minutes = check.whole_number(meta, "minutes", max(1, math.ceil(words / WORDS_PER_MINUTE)),
                                 low=1, high=600)
    if check.failed:
        return None
    return LessonSource(path=check.path, slug=slug, position=position, title=title,
                        minutes=minutes, objectives=tuple(o.strip() for o in objectives),
                        body_markdown=document.body.strip(), body_html=body_html,
                        word_count=words)


def _attach_quizzes(lessons: list[LessonSource], lesson_files: set[str], quiz_dir: Path | None,
                    course_slug: str, problems: list[Problem], shown) -> list[LessonSource]:
    if quiz_dir is None:
        return lessons
    by_slug = {lesson.slug: lesson for lesson in lessons}
    for path in sorted(quiz_dir.iterdir()):
        check = _Checker(problems, shown(path))
        if path.suffix == ".yml":
            check.error(1, "quiz files end in .yaml")
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        if path.stem not in lesson_files:
            check.error(1, f"quiz for lesson '{path.stem}', which does not exist in course "
                           f"'{course_slug}'")
            continue
        quiz = _load_quiz(path, path.stem, check)  # checked even when its lesson has errors
        if quiz is not None and path.stem in by_slug:
            by_slug[path.stem] = dataclasses.replace(by_slug[path.stem], quiz=quiz)
    return [by_slug[lesson.slug] for lesson in lessons]


def _load_quiz(path: Path, lesson_slug: str, check: _Checker) -> QuizSource | None:
    text = _read_text(path, check)
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
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        check.error(data.line_of("questions"), "the quiz has no questions")
        return None
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
        question = _load_question(item, index, check)
        if question is not None:
            questions.append(question)
    if check.failed:
        return None
    quiz = QuizSource(path=check.path, lesson_slug=lesson_slug, pass_mark=pass_mark,
                      max_attempts=max_attempts, questions=tuple(questions), content_hash="")
    return dataclasses.replace(quiz, content_hash=_hash(quiz.canonical()))


def _item_id(mapping: LineMap, default: str | None, what: str, check: _Checker) -> str | None:
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


def _load_question(item: LineMap, index: int, check: _Checker) -> QuestionSource | None:
    check.keys(item, QUESTION_KEYS, "a question")
    key = _item_id(item, None, f"question {index}", check)
    kind = item.get("type")
    if kind not in QUESTION_TYPES:
        check.error(item.line_of("type"),
                    f"question type must be one of: {', '.join(QUESTION_TYPES)} (not {kind!r})")
        return None
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
                          explanation_html=render_block(explanation), choices=choices)


def _true_false_choices(item: LineMap, check: _Checker) -> tuple[ChoiceSource, ...] | None:
    if "choices" in item:
        check.error(item.line_of("choices"), "a true_false question takes 'answer: true' or "
                                             "'answer: false', not choices")
        return None
    answer = item.get("answer")
    if not isinstance(answer, bool):
        check.error(item.line_of("answer"), "a true_false question needs exactly one right "
                                            "answer: 'answer: true' or 'answer: false'")
        return None
    return (ChoiceSource("true", "True", "True", answer is True),
            ChoiceSource("false", "False", "False", answer is False))


def _choices(item: LineMap, kind: str, check: _Checker) -> tuple[ChoiceSource, ...] | None:
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
            feedback_html=check.inline(feedback, entry.line_of("feedback"), "feedback")))
    if failed:
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
