"""The quiz rules, as a pure policy: every case the quiz page, the submission and the result
page rely on."""
from __future__ import annotations

import pytest

from nmt_course.quizzes.policy import (Refusal, Standing, Verdict, answers_revealed,
                                       attempts_left, closed, judge_submission)

CURRENT = 7


def standing(used=0, passed=False, limit=0) -> Standing:
    return Standing(attempts_used=used, passed=passed, current_version_id=CURRENT,
                    max_attempts=limit)


def test_an_open_quiz_takes_the_next_attempt_on_the_current_version():
    assert judge_submission(standing(used=2), number=3, version_id=CURRENT) is Verdict.ACCEPT
    assert closed(standing(used=2)) is None


@pytest.mark.parametrize("number", [1, 2])
def test_a_form_sent_again_is_answered_with_its_stored_attempt(number):
    # Even once passed or out of attempts: a double tap must not show an error.
    for record in (standing(used=2), standing(used=2, passed=True), standing(used=2, limit=2)):
        assert judge_submission(record, number=number, version_id=CURRENT) is Verdict.REPLAY


def test_a_learner_who_passed_cannot_submit_again():
    assert judge_submission(standing(used=1, passed=True), number=2,
                            version_id=CURRENT) is Refusal.PASSED
    assert closed(standing(used=1, passed=True)) is Refusal.PASSED


def test_the_attempt_limit_counts_every_attempt():
    assert judge_submission(standing(used=2, limit=2), number=3,
                            version_id=CURRENT) is Refusal.OUT_OF_ATTEMPTS
    assert judge_submission(standing(used=1, limit=2), number=2,
                            version_id=CURRENT) is Verdict.ACCEPT


@pytest.mark.parametrize("number", [0, 4, 10**30])
def test_a_stale_or_forged_attempt_number_is_refused(number):
    assert judge_submission(standing(used=2), number=number,
                            version_id=CURRENT) is Refusal.STALE_ATTEMPT


def test_only_the_current_version_is_graded():
    assert judge_submission(standing(used=0), number=1,
                            version_id=CURRENT - 1) is Refusal.STALE_VERSION


def test_answers_are_revealed_after_a_pass_or_the_last_attempt_only():
    assert not answers_revealed(standing(used=5))
    assert not answers_revealed(standing(used=1, limit=2))
    assert answers_revealed(standing(used=2, limit=2))
    assert answers_revealed(standing(used=1, passed=True))


def test_attempts_left():
    assert attempts_left(standing(used=3)) is None
    assert attempts_left(standing(used=1, limit=3)) == 2
    assert attempts_left(standing(used=3, limit=3)) == 0
