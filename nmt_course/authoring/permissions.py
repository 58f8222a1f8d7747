"""Who may author what. Pure: plain facts in, yes or no out."""
from __future__ import annotations


def may_author(user) -> bool:
    """Instructors and admins see the Author area; everyone else is refused it (403)."""
    return bool(getattr(user, "is_authenticated", False)
                and (user.is_admin or user.is_instructor))


def may_edit(user, owner_id: int | None, maintainer_ids: set[int]) -> bool:
    """An admin edits every course; an instructor the courses they own or maintain."""
    if not may_author(user):
        return False
    return user.is_admin or user.id == owner_id or user.id in maintainer_ids


def may_manage_maintainers(user, owner_id: int | None) -> bool:
    """The owner chooses a course's maintainers (and an admin may)."""
    return may_author(user) and (user.is_admin or user.id == owner_id)
