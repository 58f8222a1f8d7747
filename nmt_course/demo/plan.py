"""What demo data to make, decided from a seed before anything is written: who is in which
clinic, who takes which course and how far each got. Rows are made from it in bulk
(demo/operations.py). Generated courses are written as course files and imported as any
course is."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "demo.example.com"
PASSWORD = "demo-data password"  # every demo account's; printed by the command
BIG_CLINIC_STAFF = 500  # the first clinic: the report the benchmark asks for (500 x 10)
BIG_CLINIC_COURSES = 10
LESSONS_PER_COURSE = 12
QUESTIONS_PER_QUIZ = 5


def learner_email(n: int) -> str:
    return f"learner{n}@{DOMAIN}"


def manager_email(n: int) -> str:
    return f"manager{n}@{DOMAIN}"


def author_email(n: int) -> str:
    return f"author{n}@{DOMAIN}"


@dataclass
class ClinicPlan:
    name: str
    staff: list[int]  # learner numbers
    courses: list[int]  # course indexes (into the course list, 0 = the shipped one)
    due_in_days: list[int]


@dataclass
class Plan:
    learners: int
    courses: int
    clinics: list[ClinicPlan] = field(default_factory=list)
    # learner number -> course indexes taken
    taking: dict[int, list[int]] = field(default_factory=dict)


def make_plan(learners: int, clinics: int, courses: int, seed: int) -> Plan:
    """Clinics first (the first one large), then each learner's courses: a few of their own
    and every course their clinic assigned."""
    rng = random.Random(seed)
    plan = Plan(learners=learners, courses=courses)
    numbers = list(range(learners))
    rng.shuffle(numbers)
    in_clinics = numbers[:int(learners * 0.4)]
    if clinics:
        big = min(BIG_CLINIC_STAFF, len(in_clinics))
        plan.clinics.append(ClinicPlan(
            "Harbour Wellness Group", sorted(in_clinics[:big]),
            list(range(min(BIG_CLINIC_COURSES, courses))),
            [rng.choice((-10, 14, 30, 60)) for _ in range(min(BIG_CLINIC_COURSES, courses))]))
        rest, others = in_clinics[big:], clinics - 1
        for n in range(others):
            chosen = rng.sample(range(courses), rng.randint(1, min(4, courses)))
            plan.clinics.append(ClinicPlan(
                f"Demo Clinic {n + 2}", sorted(rest[n::others]), chosen,
                [rng.choice((-10, 14, 30, 60)) for _ in chosen]))
    assigned = {person: clinic.courses for clinic in plan.clinics for person in clinic.staff}
    for n in range(learners):
        own = rng.sample(range(courses), rng.randint(min(3, courses), min(10, courses)))
        plan.taking[n] = sorted(set(own) | set(assigned.get(n, ())))
    if learners:
        plan.taking[0] = sorted(set(plan.taking[0]) | {0})  # the certificate issued for real
    return plan


def progress(rng: random.Random, lessons: int, *, complete: bool = False) -> list[tuple[int, bool]]:
    """How far a learner got in a course of `lessons` lessons: for each lesson read, in
    order, the attempts at its quiz and whether the last one passed (all passed: a
    certificate). About one course in seven is finished; the others stop part-way, at a
    lesson read and perhaps failed."""
    done = lessons if complete or rng.random() < 0.15 else rng.randrange(lessons)
    tries = [(rng.choice((1, 1, 1, 2, 2, 3)), True) for _ in range(done)]
    if done < lessons:
        tries.append((rng.choice((0, 1, 2, 3)), False))
    return tries


def write_courses(folder: Path, count: int) -> None:
    """`count` generated courses as files (lessons/ and quizzes/), for the import."""
    for n in range(1, count + 1):
        slug = f"demo-course-{n}"
        lessons, quizzes = folder / "lessons" / slug, folder / "quizzes" / slug
        lessons.mkdir(parents=True)
        quizzes.mkdir(parents=True)
        (lessons / "course.md").write_text(
            f"---\ntitle: Demo Course {n}\nsummary: Generated demo data for load tests.\n"
            "ce_hours: 2\ncourse_type: Home Study\nstatus: published\n---\n"
            "A generated course: the demo data's learners take it.\n")
        for lesson in range(1, LESSONS_PER_COURSE + 1):
            (lessons / f"{lesson:02d}-lesson-{lesson}.md").write_text(
                f"---\ntitle: Demo Lesson {lesson}\nminutes: 10\nobjectives:\n"
                f"  - Recall demo fact {lesson}.\n---\n## Demo fact {lesson}\n\n"
                + f"Generated text of lesson {lesson} for load tests. " * 40 + "\n")
            questions = "".join(
                f"  - id: q{q}\n    type: true_false\n    objective: 1\n"
                f"    prompt: Demo statement {q} of lesson {lesson} is true.\n"
                f"    answer: {'true' if q % 2 else 'false'}\n    explanation: Generated.\n"
                for q in range(1, QUESTIONS_PER_QUIZ + 1))
            (quizzes / f"lesson-{lesson}.yaml").write_text(
                f"pass_mark: 60\nmax_attempts: 0\nquestions:\n{questions}")
