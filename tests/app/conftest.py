"""Fixtures shared by the app tests."""
from __future__ import annotations

import pytest

from tests.helpers import import_content, login, make_user


@pytest.fixture
def learner(app, client):
    """A logged-in learner's client, with the fixture course imported."""
    import_content(app)
    make_user(app, name="Jane Q. Learner")
    login(client)
    return client
