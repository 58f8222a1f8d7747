"""A learner moves their account to a new e-mail address: a link goes to the new mailbox,
the change happens only when that link is opened by the same person, and the old address is
told. Nothing changes on a wrong password, a taken address, or a link used by someone else,
used twice or too late."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from nmt_course.accounts.models import EmailChangeToken, User
from nmt_course.audit import AuditEvent
from nmt_course.extensions import db
from nmt_course.runtime import utcnow
from tests.app.clinic_helpers import use_outbox
from tests.helpers import PASSWORD, csrf_from, login, make_user, set_clock

NEW = "jane.new@example.com"


def ask(client, new_email: str = NEW, password: str = PASSWORD):
    token = csrf_from(client.get("/account").text)
    return client.post("/account/email", data={"em-csrf_token": token,
                                               "em-new_email": new_email,
                                               "em-current_password": password})


def link_in(outbox, address: str = NEW) -> str:
    return "/account/email/" + outbox.to(address)[-1].body.split("/account/email/")[1].split()[0]


def confirm(client, link: str):
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_from(page.text)})


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_the_address_changes_only_after_the_new_mailbox_confirms(app, client):
    outbox = use_outbox(app)
    user_id = make_user(app)
    login(client)
    asked = ask(client, " Jane.New@Example.com ")
    assert asked.status_code == 302
    assert f"We have e-mailed a link to {NEW}" in client.get("/account").text
    # Until the link is opened nothing moves, and the account page says what is waiting.
    assert email_of(app, user_id) == "learner@example.com"
    assert f"A link to confirm <strong>{NEW}</strong> is waiting" in client.get("/account").text
    message = outbox.to(NEW)[-1]
    assert message.subject == "Confirm your new e-mail address"
    assert "within 24 hours" in message.body

    page = client.get(link_in(outbox))
    assert f"Use {NEW}" in page.text and email_of(app, user_id) == "learner@example.com"
    done = client.post(link_in(outbox), data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 302
    assert f"Your e-mail address is now {NEW}" in client.get("/account").text
    assert email_of(app, user_id) == NEW

    notice = outbox.to("learner@example.com")[-1]
    assert notice.subject == "Your e-mail address was changed"
    assert "j…@example.com" in notice.body and NEW not in notice.body
    # The new address logs in; the old one no longer does.
    assert login(app.test_client(), NEW).status_code == 302
    other = app.test_client()
    token = csrf_from(other.get("/login").text)
    assert other.post("/login", data={"csrf_token": token, "email": "learner@example.com",
                                      "password": PASSWORD}).status_code == 200
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("user.email%")).order_by(AuditEvent.id))]
        details = " ".join(str(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert actions == ["user.email_change_requested", "user.email_changed"]
    assert NEW not in details and "learner@example.com" not in details  # ids, never addresses


def test_a_wrong_password_or_unusable_address_changes_nothing(app, client):
    outbox = use_outbox(app)
    make_user(app)
    make_user(app, "taken@example.com", name="Tom Taken")
    login(client)
    for new_email, password, message in [
            (NEW, "not my password", "Your current password is not correct."),
            ("taken@example.com", PASSWORD, "Another account uses that e-mail address."),
            ("LEARNER@example.com", PASSWORD, "That is already your e-mail address."),
            ("not an address", PASSWORD, "Enter an e-mail address such as name@example.com."),
            ("", PASSWORD, "Enter the new e-mail address.")]:
        response = ask(client, new_email, password)
        assert response.status_code == 422 and message in response.text, new_email
    assert outbox.messages == []
    with app.app_context():
        assert db.session.query(EmailChangeToken).count() == 0


def test_the_link_works_once_for_the_account_that_asked(app, client):
    outbox = use_outbox(app)
    user_id = make_user(app)
    make_user(app, "other@example.com", name="Olly Other")
    login(client)
    ask(client)
    link = link_in(outbox)
    # Someone else logged in (a forwarded mail, a shared computer) gets nothing.
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(link).status_code == 404
    assert other.post(link, data={"csrf_token": csrf_from(other.get("/account").text)}
                      ).status_code == 404
    assert email_of(app, user_id) == "learner@example.com"
    # Nobody logged in is asked to log in first, then comes back to the link.
    anonymous = app.test_client().get(link)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert confirm(client, link).status_code == 302
    assert client.get(link).status_code == 404
    assert "This link no longer works" in client.get(link).text


def test_asking_again_leaves_only_the_newest_link_working(app, client):
    outbox = use_outbox(app)
    user_id = make_user(app)
    login(client)
    ask(client, "first@example.com")
    first = link_in(outbox, "first@example.com")
    ask(client, NEW)
    assert client.get(first).status_code == 404  # only the newest request's link works
    assert confirm(client, link_in(outbox)).status_code == 302
    assert email_of(app, user_id) == NEW


def test_a_link_opened_too_late_changes_nothing(app, client):
    outbox = use_outbox(app)
    user_id = make_user(app)
    login(client)
    ask(client)
    set_clock(app, lambda: utcnow() + dt.timedelta(hours=25))
    login(client)  # the session itself ended after two idle hours
    assert client.get(link_in(outbox)).status_code == 404
    assert email_of(app, user_id) == "learner@example.com"


@pytest.mark.dialect("unique constraint")
def test_an_address_taken_while_the_link_waited_is_refused(app, client):
    outbox = use_outbox(app)
    user_id = make_user(app)
    login(client)
    ask(client)
    make_user(app, NEW, name="Quick Registrant")
    confirm(client, link_in(outbox))
    assert "Another account has started using that e-mail address" in client.get(
        "/account").text
    assert email_of(app, user_id) == "learner@example.com"


def test_requests_for_a_new_address_are_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    use_outbox(limited)
    make_user(limited)
    client = limited.test_client()
    login(client)
    answers = [ask(client, f"new{n}@example.com") for n in range(7)]
    assert [answer.status_code for answer in answers] == [302] * 5 + [429] * 2
    assert re.search(r"Wait \d+ minutes, then try again", answers[-1].text)
    # Counted per person: a colleague on the same clinic network still can.
    make_user(limited, "colleague@example.com", name="Cole League")
    colleague = limited.test_client()
    login(colleague, "colleague@example.com")
    assert ask(colleague).status_code == 302


def test_the_notices_name_where_to_get_help(make_app):
    helped = make_app(SUPPORT_EMAIL="help@school.example")
    outbox = use_outbox(helped)
    make_user(helped)
    client = helped.test_client()
    login(client)
    ask(client)
    assert "log in as usual (with learner@example.com)" in outbox.to(NEW)[-1].body
    confirm(client, link_in(outbox))
    assert "contact NMT Test Academy at help@school.example at once" in outbox.to(
        "learner@example.com")[-1].body


@pytest.mark.dialect("concurrency")
def test_two_confirmations_at_once_change_the_address_once(app, client, monkeypatch):
    """The second of two simultaneous uses read the link as unused before the first
    committed: spending the links finds none left, so it changes nothing and tells nobody."""
    from nmt_course.accounts import operations
    from nmt_course.accounts.queries import user_by_email
    from tests.helpers import runtime

    outbox = use_outbox(app)
    make_user(app)
    login(client)
    ask(client)
    token = link_in(outbox).rsplit("/", 1)[1]
    with app.app_context():
        user = user_by_email("learner@example.com")
        stale = operations.valid_email_change(runtime(app), user.id, token)
        operations.confirm_email_change(runtime(app), user, token)
        monkeypatch.setattr(operations, "valid_email_change", lambda *args: stale)
        with pytest.raises(operations.InvalidEmailChangeLink):
            operations.confirm_email_change(runtime(app), user, token)
    assert len(outbox.to("learner@example.com")) == 1
