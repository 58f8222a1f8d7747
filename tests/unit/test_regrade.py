"""The regrade plan: only fails turn into passes, one pass per learner, and a question whose
choices changed keeps the key that graded it."""
from __future__ import annotations

from dataclasses import dataclass

from nmt_course.quizzes.regrade import Plan, StoredAttempt, changed, keyed, plan


@dataclass(frozen=True)
class C:
    key: str
    correct: bool


@dataclass(frozen=True)
class Q:
    key: str
    choices: tuple[C, ...]
    type: str = "single"


def question(key: str, right: str, choices: str = "abc") -> Q:
    return Q(key, tuple(C(c, c == right) for c in choices))


V1 = {"q1": question("q1", "a"), "q2": question("q2", "a")}
V2 = {"q1": question("q1", "b"), "q2": question("q2", "a")}  # q1's key corrected to b
KEYS = {1: V1, 2: V2}
MARKS = {1: 100, 2: 100}


def attempt(id: int, user: int, number: int, q1: str, *, passed: bool = False,
            version: int = 1, graded: int | None = None) -> StoredAttempt:
    return StoredAttempt(id=id, user_id=user, number=number, version_id=version,
                         graded_version_id=graded or version, shown=("q1", "q2"),
                         answers={"q1": [q1], "q2": ["a"]}, score=100 if passed else 50,
                         passed=passed)


def test_a_fail_that_passes_under_the_new_key_is_planned_and_a_pass_is_never_taken():
    found = plan([attempt(1, 10, 1, "b"), attempt(2, 20, 1, "a", passed=True)], keys=KEYS,
                 pass_marks=MARKS, current=2, passed={20})
    assert [(r.attempt.id, r.result.score) for r in found.would_pass] == [(1, 100)]
    assert [(r.attempt.id, r.result.score) for r in found.would_fail] == [(2, 50)]


def test_a_pass_that_still_passes_under_the_new_key_is_left_alone():
    # 100 % under the first key, 50 % under the second: a pass at a 50 % mark either way.
    found = plan([attempt(1, 10, 1, "a", passed=True)], keys=KEYS, pass_marks={1: 50, 2: 50},
                 current=2, passed={10})
    assert found == Plan(2, (), (), 0)


def test_one_pass_per_learner_the_earliest_and_none_for_a_learner_who_passed():
    found = plan([attempt(2, 10, 2, "b"), attempt(1, 10, 1, "b"), attempt(3, 30, 1, "b")],
                 keys=KEYS, pass_marks=MARKS, current=2, passed={30})
    assert [r.attempt.id for r in found.would_pass] == [1]
    assert found.also_pass == 2


def test_attempts_graded_with_the_current_key_are_left_alone():
    found = plan([attempt(1, 10, 1, "b", graded=2, passed=True), attempt(2, 20, 1, "b",
                                                                       version=2)],
                 keys=KEYS, pass_marks=MARKS, current=2, passed=set())
    assert found.would_pass == found.would_fail == ()


def test_a_question_whose_choices_changed_keeps_the_key_that_graded_it():
    v3 = {"q1": question("q1", "b", choices="abd"), "q2": question("q2", "a")}
    assert keyed(("q1", "q2"), V1, v3) == [V1["q1"], v3["q2"]]
    assert changed(keyed(("q1",), V1, V1), keyed(("q1",), V1, v3)) == []
    found = plan([attempt(1, 10, 1, "b")], keys={1: V1, 3: v3}, pass_marks={1: 100, 3: 100},
                 current=3, passed=set())
    assert found.would_pass == ()


def test_the_attempt_keeps_the_pass_mark_it_was_taken_under():
    # Under version 2's key the attempt scores 50 %: a pass at version 2's mark, not at the
    # 100 % of version 1 it was taken under.
    v2 = {"q1": question("q1", "b"), "q2": question("q2", "c")}
    found = plan([attempt(1, 10, 1, "b")], keys={1: V1, 2: v2}, pass_marks={1: 100, 2: 50},
                 current=2, passed=set())
    assert found.would_pass == ()
    kinder = plan([attempt(1, 10, 1, "b")], keys={1: V1, 2: v2}, pass_marks={1: 50, 2: 50},
                  current=2, passed=set())
    assert [r.result.score for r in kinder.would_pass] == [50]
    lowered_only = plan([attempt(1, 10, 1, "c")], keys={1: V1, 2: V1},
                        pass_marks={1: 100, 2: 50}, current=2, passed=set())
    assert lowered_only.would_pass == ()  # a lower pass mark alone regrades nothing
