"""Many learners finishing at once: certificates are rendered outside the write transaction,
so nobody gets an error and nobody else's write waits behind a PDF."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from nmt_course.certificates import operations as certificate_operations
from nmt_course.certificates.models import Certificate
from nmt_course.extensions import db
from tests.app.clinic_helpers import finish_demo_lessons
from tests.helpers import csrf_from, evaluation_answers, import_content, login, make_user

# The real renderer: one render at a time per process (its lock) shapes the burst.
pytestmark = [pytest.mark.slow, pytest.mark.real_pdf]
LEARNERS = 32
EVALUATION = "/courses/demo/evaluation"


def test_a_burst_of_completions_all_get_their_certificate(app):
    import_content(app)
    clients, forms = [], []
    for n in range(LEARNERS):
        email = f"burst{n}@example.com"
        make_user(app, email)
        finish_demo_lessons(app, email)  # the evaluation is the last step
        client = app.test_client()
        login(client, email)
        clients.append(client)
        forms.append(evaluation_answers(client.get(EVALUATION).text))
    barrier = threading.Barrier(LEARNERS)
    statuses: list[int] = []

    def finish(client, form):
        barrier.wait(timeout=30)
        statuses.append(client.post(EVALUATION, data=form).status_code)

    threads = [threading.Thread(target=finish, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * LEARNERS
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == LEARNERS


def test_a_bystanders_write_does_not_wait_for_a_certificate_being_rendered(app, monkeypatch):
    """Rendering waits until a bystander has marked a lesson as read. Were the PDF rendered
    inside the write transaction, the bystander's write would queue behind it (SQLite has one
    writer), the wait below would run out and the test would fail."""
    import_content(app)
    make_user(app, "finisher@example.com")
    make_user(app, "bystander@example.com")
    finish_demo_lessons(app, "finisher@example.com")
    finisher, bystander = app.test_client(), app.test_client()
    login(finisher, "finisher@example.com")
    login(bystander, "bystander@example.com")
    lesson = "/courses/demo/lessons/first-lesson"
    token = csrf_from(bystander.get(lesson).text)
    form = evaluation_answers(finisher.get(EVALUATION).text)

    rendering, bystander_done = threading.Event(), threading.Event()
    real_render = certificate_operations.render_certificate_pdf
    waited: list[bool] = []

    def slow_render(data):
        rendering.set()
        waited.append(bystander_done.wait(timeout=20))
        return real_render(data)

    monkeypatch.setattr(certificate_operations, "render_certificate_pdf", slow_render)
    results: dict[str, int] = {}

    def finish():
        results["finisher"] = finisher.post(EVALUATION, data=form).status_code

    def read():
        assert rendering.wait(timeout=20)
        results["bystander"] = bystander.post(f"{lesson}/read",
                                              data={"csrf_token": token}).status_code
        bystander_done.set()

    threads = [threading.Thread(target=finish), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert waited == [True]
    assert results == {"finisher": 302, "bystander": 302}
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
