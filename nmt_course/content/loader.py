"""Parse and validate `lessons/` and `quizzes/` into plain data, collecting every problem."""
from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .fields import FieldChecker, content_hash, read_front_matter
from .images import CheckedImage, ImageRefused, check_kept_image
from .figures import check_images
from .lesson_checks import body_problems
from .markdown import count_words, prose_words, render_block, render_document
from .model import (COURSE_STATUSES, COURSE_TYPES, MIN_MINUTES, WORDS_PER_MINUTE, ContentSet,
                    CourseSource, LessonSource, Problem, ce_hours_problem)
from .quality import check_quality
from .quiz_file import ITEM_ID as OBJECTIVE_ID, load_quiz
from .source import ContentError, LineMap, decode_utf8

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d{2,3})-(.+)\.md$")
# Where a course's file may be written or read back: under lessons/<course>/ (Markdown, and
# images/), or quizzes/<course>/ (YAML); never absolute, never "..".
_NAME = r"[^/\\\x00-\x1f]+"
FILE_KEY = re.compile(rf"^(?:lessons/[a-z0-9]+(?:-[a-z0-9]+)*/(?:{_NAME}\.md|images/{_NAME})"
                      rf"|quizzes/[a-z0-9]+(?:-[a-z0-9]+)*/{_NAME}\.yaml)$")


def is_file_key(name: str) -> bool:
    """Whether `name` is a path a course's file may have (relative, inside its folders)."""
    return bool(FILE_KEY.match(name)) and not {".", ".."} & set(name.split("/"))

COURSE_KEYS = ("title", "summary", "ce_hours", "course_type", "status", "approval_number",
               "requires_licence")
LESSON_KEYS = ("title", "slug", "minutes", "min_minutes", "objectives")
MAX_TITLE = 200


def load_content(lessons_dir: Path, quizzes_dir: Path,
                 known_images: Collection[str] = ()) -> ContentSet:
    """Parse every course under `lessons_dir` with its quizzes; report every problem found.
    `known_images`: names of images the course has beyond its images/ folder (those
    uploaded in the browser), which its lessons may show."""
    base = Path(lessons_dir).resolve().parent
    lessons_dir, quizzes_dir = Path(lessons_dir), Path(quizzes_dir)
    problems: list[Problem] = []

    def shown(path: Path) -> str:
        resolved = path.resolve()
        return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(path)

    if not lessons_dir.is_dir():
        problems.append(Problem(shown(lessons_dir), 1, "the lessons folder does not exist"))
        return ContentSet((), tuple(problems))
    links = _links_within(lessons_dir, quizzes_dir)
    if links:  # a link could bring in any file the importing user can read
        return ContentSet((), tuple(Problem(
            str(link.relative_to(lessons_dir.parent)), 1,
            "a symbolic link: content is read only from files inside its folders, so copy "
            "the file or folder in instead") for link in links))

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
        course = _load_course(course_dir, quiz_dirs.get(course_dir.name), problems, shown,
                              known_images)
        if course is not None:
            courses.append(course)
    return ContentSet(tuple(courses), tuple(problems))


def _links_within(*folders: Path) -> list[Path]:
    """Every symbolic link inside `folders` (none is followed)."""
    found = []
    for folder in folders:
        for parent, folder_names, file_names in os.walk(folder):
            found += [Path(parent) / name for name in sorted(folder_names + file_names)
                      if (Path(parent) / name).is_symlink()]
    return found


def _load_course(course_dir: Path, quiz_dir: Path | None, problems: list[Problem],
                 shown, known_images: Collection[str]) -> CourseSource | None:
    course_file = course_dir / "course.md"
    check = FieldChecker(problems, shown(course_file))
    if not SLUG.match(course_dir.name):
        check.error(1, f"the course folder name '{course_dir.name}' must be lower-case words "
                       "joined by hyphens; it becomes the course's address")
    if not course_file.is_file():
        check.error(1, "missing course.md (the course's title, CE hours and description)")
        return None
    document = read_front_matter(course_file, check)
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
    estimate = course.estimated_hours
    if ce_hours > estimate:
        # A course a board approved must not claim more than it takes (docs/content.md).
        report = check.error if approval_number else check.warn
        report(meta.line_of("ce_hours"),
               f"ce_hours {ce_hours:f} is more than the {estimate.normalize():f} hours "
               f"estimated from {course.word_count} words of prose and "
               f"{course.question_count} quiz questions shown: lower ce_hours, or add "
               "reading or questions"
               + ("; a course with an approval number cannot be published while it does"
                  if approval_number else ""))
    problems.extend(check_quality(course))
    course = dataclasses.replace(course, images=_load_images(course_dir / "images", problems,
                                                             shown))
    files = _course_files(course_dir, quiz_dir)
    problems.extend(check_images(course, {i.name for i in course.images} | set(known_images),
                                 files))
    return dataclasses.replace(course, content_hash=content_hash(_course_fingerprint(course)),
                               files=files)


def _load_images(folder: Path, problems: list[Problem], shown) -> tuple[CheckedImage, ...]:
    """The images an exported course keeps beside its lessons (lessons/<course>/images/)."""
    if not folder.is_dir():
        return ()
    images = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            images.append(check_kept_image(path.name, path.read_bytes()))
        except ImageRefused as refused:
            problems.append(Problem(shown(path), 1, str(refused)))
    return tuple(images)


def _course_files(course_dir: Path, quiz_dir: Path | None) -> dict[str, str]:
    """The text of every file of a course, by its path inside the content folders
    (lessons/<course>/..., quizzes/<course>/...; a file that is not UTF-8 has been reported
    already and is left out)."""
    paths = [("lessons", path) for path in sorted(course_dir.glob("*.md"))]
    if quiz_dir is not None:
        paths += [("quizzes", path) for path in sorted(quiz_dir.glob("*.yaml"))]
    files = {}
    for folder, path in paths:
        key = f"{folder}/{course_dir.name}/{path.name}"
        if not is_file_key(key) or not path.resolve().is_relative_to(
                path.parent.parent.resolve()):
            continue  # a course folder misnamed is reported already
        try:
            files[key] = decode_utf8(path.read_bytes())
        except ContentError:
            continue
    return files


def load_files(files: Mapping[str, str], known_images: Collection[str] = ()) -> ContentSet:
    """Parse content held in memory ({"lessons/<course>/01-x.md": text, ...}) exactly as the
    same files on disk would be: a draft edited in the browser is checked like a folder."""
    with tempfile.TemporaryDirectory(prefix="nmt-content-") as folder:
        root = Path(folder)
        for name, text in files.items():
            path = (root / name).resolve()
            if not path.is_relative_to(root.resolve()) or len(Path(name).parts) != 3:
                return ContentSet((), (Problem(
                    name[:200], 1, "not a path a course's file can have (lessons/<course>/"
                                   "NN-slug.md or quizzes/<course>/slug.yaml)"),))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (root / "lessons").mkdir(exist_ok=True)
        return load_content(root / "lessons", root / "quizzes", known_images)


_CHECKED: OrderedDict[str, ContentSet] = OrderedDict()
_CHECKED_KEPT = 16
_CHECKED_LOCK = threading.Lock()


def check_files(files: Mapping[str, str], known_images: Collection[str] = ()) -> ContentSet:
    """load_files, kept by the content's hash: an author's pages check the same draft on
    every view, and a large one takes seconds to render (the same files give the same
    result; the newest 16 are kept)."""
    key = content_hash([sorted(files.items()), sorted(known_images)])
    with _CHECKED_LOCK:
        if key in _CHECKED:
            _CHECKED.move_to_end(key)
            return _CHECKED[key]
    result = load_files(files, known_images)
    with _CHECKED_LOCK:
        _CHECKED[key] = result
        while len(_CHECKED) > _CHECKED_KEPT:
            _CHECKED.popitem(last=False)
    return result


def _course_fingerprint(course: CourseSource) -> dict:
    fields = dataclasses.asdict(course)
    fields.pop("description_html")
    fields.pop("files")
    fields["images"] = [image.name for image in course.images]  # names carry their hash
    fields["lessons"] = [
        {"slug": lesson.slug, "position": lesson.position, "title": lesson.title,
         "minutes": lesson.minutes, "min_minutes": lesson.min_minutes,
         "objectives": lesson.objectives, "objective_ids": lesson.objective_ids,
         "body": lesson.body_markdown,
         "quiz": lesson.quiz.content_hash if lesson.quiz else None}
        for lesson in course.lessons
    ]
    return fields


def _ce_hours(meta: LineMap, check: FieldChecker) -> Decimal:
    value = meta.get("ce_hours")
    line = meta.line_of("ce_hours")
    if value is None:
        check.error(line, "missing ce_hours (the approved CE hours, printed on certificates)")
        return Decimal(0)
    try:
        hours = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        hours = Decimal("NaN")
    problem = ce_hours_problem(hours)
    if problem:
        check.error(line, f"ce_hours must be a number: {problem}; not {value!r}")
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
        check = FieldChecker(problems, shown(path))
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


def _load_lesson(path: Path, position: int, file_slug: str,
                 check: FieldChecker) -> LessonSource | None:
    document = read_front_matter(path, check)
    if document is None:
        return None
    meta = document.meta
    check.keys(meta, LESSON_KEYS, "a lesson")
    title = check.text(meta, "title", required=True, max_length=MAX_TITLE)
    slug = check.text(meta, "slug") or file_slug
    if not SLUG.match(slug) or len(slug) > 100:
        check.error(meta.line_of("slug"), f"the lesson slug '{slug}' must be lower-case words "
                                          "joined by hyphens; it becomes the lesson's address")
    objectives = _objectives(meta, check)
    if not objectives and not check.failed:
        check.warn(meta.line, "no objectives: learners and boards expect a lesson to state them")

    body_html, used_h1 = render_document(document.body)
    if used_h1:
        check.warn(document.body_line, "level-1 headings ('# ...') are dropped; the lesson "
                                       "title is the page's heading, so start at '##'")
    for offset, message in body_problems(document.body):
        check.error(document.body_line + offset, message)
    if not count_words(body_html):
        check.error(document.body_line, "the lesson has no text below its front matter")
    words = prose_words(body_html)
    minutes = check.whole_number(meta, "minutes", max(1, math.ceil(words / WORDS_PER_MINUTE)),
                                 low=1, high=600)
    min_minutes = (check.whole_number(meta, "min_minutes", 0, low=MIN_MINUTES[0],
                                      high=MIN_MINUTES[1]) or None
                   if meta.get("min_minutes") is not None else None)
    if check.failed:
        return None
    return LessonSource(path=check.path, slug=slug, position=position, title=title,
                        minutes=minutes, objectives=tuple(text for _, text in objectives),
                        objective_ids=tuple(key for key, _ in objectives),
                        body_markdown=document.body.strip(), body_html=body_html,
                        word_count=words, min_minutes=min_minutes,
                        objectives_line=meta.line_of("objectives"))


def _objectives(meta: LineMap, check: FieldChecker) -> list[tuple[str | None, str]]:
    """(id or None, sentence) of each objective: a sentence, or `{id, text}` whose id quiz
    questions may name instead of its number (so reordering the list re-points nothing)."""
    items = meta.get("objectives", [])
    if not isinstance(items, list):
        check.error(meta.line_of("objectives"), "objectives must be a list of sentences")
        return []
    found: list[tuple[str | None, str]] = []
    for item in items:
        key = None
        if isinstance(item, LineMap):
            key, item = item.get("id"), item.get("text")
            if (isinstance(key, bool) or not OBJECTIVE_ID.match(str(key))
                    or str(key).isdigit()):
                check.error(meta.line_of("objectives"), f"objective id {key!r} must be a name of "
                            "letters, digits, '-' and '_', not a number (quote ids YAML reads "
                            "as true or false)")
                return []
            key = str(key)
            if key in {known for known, _ in found}:
                check.error(meta.line_of("objectives"), f"two objectives have the id '{key}'")
                return []
        if not isinstance(item, str) or not item.strip():
            check.error(meta.line_of("objectives"), "objectives must be a list of sentences "
                        "(or of 'id' and 'text')")
            return []
        found.append((key, item.strip()))
    return found


def _attach_quizzes(lessons: list[LessonSource], lesson_files: set[str], quiz_dir: Path | None,
                    course_slug: str, problems: list[Problem], shown) -> list[LessonSource]:
    if quiz_dir is None:
        return lessons
    by_slug = {lesson.slug: lesson for lesson in lessons}
    for path in sorted(quiz_dir.iterdir()):
        check = FieldChecker(problems, shown(path))
        if path.suffix == ".yml":
            check.error(1, "quiz files end in .yaml")
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        if path.stem not in lesson_files:
            check.error(1, f"quiz for lesson '{path.stem}', which does not exist in course "
                           f"'{course_slug}'")
            continue
        lesson = by_slug.get(path.stem)  # the quiz is checked even when its lesson has errors
        quiz = load_quiz(path, path.stem, check,
                         lesson.objective_ids if lesson is not None else None)
        if quiz is not None and lesson is not None:
            by_slug[path.stem] = dataclasses.replace(lesson, quiz=quiz)
    return [by_slug[lesson.slug] for lesson in lessons]
