"""The erasure log: one line per account deletion, kept OUTSIDE the database (ERASURE_LOG_FILE,
a JSON-lines file in the instance folder) so that restoring an older backup cannot bring a
deleted account back: `backup restore` erases again every account the log names after the
archive was taken. Each line holds the account's id, the SHA-256 of its normalised e-mail
address (never the address itself) and the time. Appends are fsync'd before the deletion
answers. Pure: files and JSON, no Flask, no database."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Erasure:
    user_id: int
    email_sha256: str
    at: dt.datetime  # aware UTC


def email_digest(normalised_email: str) -> str:
    """The SHA-256 of an address as accounts store it (text.email_address)."""
    return hashlib.sha256(normalised_email.encode()).hexdigest()


def append(path: Path, erasure: Erasure) -> None:
    """Add one line and wait until it is on disk (file and, when new, its folder entry)."""
    line = json.dumps({"user_id": erasure.user_id, "email_sha256": erasure.email_sha256,
                       "at": erasure.at.astimezone(dt.timezone.utc).isoformat()},
                      sort_keys=True) + "\n"
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def read(path: Path) -> list[Erasure]:
    """Every complete line, oldest first; a line cut short by a crash (no newline) is not
    one: its deletion never answered. A missing file is an empty log."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    entries = []
    for number, raw in enumerate(data.split(b"\n")[:-1], start=1):
        if not raw.strip():
            continue
        try:
            fields = json.loads(raw)
            at = dt.datetime.fromisoformat(fields["at"])
            if at.tzinfo is None:
                raise ValueError("naive time")
            entries.append(Erasure(user_id=int(fields["user_id"]),
                                   email_sha256=str(fields["email_sha256"]), at=at))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not an erasure record ({error})") from None
    return entries


def after(entries: list[Erasure], moment: dt.datetime) -> list[Erasure]:
    """The erasures made after `moment` (when a backup was taken)."""
    return [entry for entry in entries if entry.at > moment]
