"""Two admins changing each other at once never leave the site without an admin (issue 15,
finding 7: each demoted or deactivated the other, and both changes went through)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from nmt_course.accounts import operations as accounts
from nmt_course.accounts.models import User
from nmt_course.accounts.queries import user_by_email
from nmt_course.extensions import db
from tests.app.authoring_helpers import author, token
from tests.helpers import runtime


def _active_admins(app) -> int:
    with app.app_context():
        db.session.remove()
        return db.session.scalar(select(func.count(User.id)).where(User.is_admin, User.active))


@pytest.mark.dialect("row locks")
@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_an_admin_changed_meanwhile_changes_nothing(app, change):
    """Both pages read before either wrote: the second change finds its actor no longer an
    active admin, as stored now, and is refused."""
    author(app, "ann@example.com", is_admin=True)
    author(app, "bob@example.com", is_admin=True)
    with app.app_context():
        ann, bob = user_by_email("ann@example.com"), user_by_email("bob@example.com")

        def act(actor, user):
            if change == "demote":
                accounts.set_roles(runtime(app), actor, user, instructor=False, admin=False)
            else:
                accounts.set_active(runtime(app), actor, user, False)

        act(ann, bob)
        with pytest.raises(accounts.AccountError, match="no longer an active admin"):
            act(bob, ann)
    assert _active_admins(app) == 1


@pytest.mark.dialect("row locks")
@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_two_admins_at_once_leave_one(app, change):
    clients = {name: author(app, f"{name}@example.com", is_admin=True) for name in ("ann", "bob")}
    with app.app_context():
        ids = {name: user_by_email(f"{name}@example.com").id for name in clients}
    tokens = {name: token(client) for name, client in clients.items()}
    barrier, results = threading.Barrier(2), []

    def act(name: str, other: str):
        url, data = ((f"/admin/people/{ids[other]}/roles", {}) if change == "demote"
                     else (f"/admin/people/{ids[other]}/active", {"active": "0"}))
        barrier.wait()
        response = clients[name].post(url, data={"csrf_token": tokens[name], **data})
        results.append((response.status_code, response.location or ""))

    threads = [threading.Thread(target=act, args=pair) for pair in (("ann", "bob"),
                                                                    ("bob", "ann"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One change is made; the other is refused, or, when the first deactivation finished
    # before the second request was read, its sender is logged out already (a busy machine
    # can run the two threads one after the other).
    made = [result for result in results if result[0] == 302
            and result[1].startswith("/admin/people/")]
    refused = [result for result in results if result[0] in (403, 409) or (
        change == "deactivate" and result[0] == 302 and result[1].startswith("/login"))]
    assert len(made) == 1 and len(refused) == 1, results
    assert _active_admins(app) == 1
