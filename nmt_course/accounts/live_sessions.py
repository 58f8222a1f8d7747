"""Live sessions in Redis, when REDIS_URL is set: the per-request check asks Redis instead of
the user_sessions table, which still records every session for the audit trail.

Ends are written to Redis inside the operation that ends them, before its transaction
commits: if the commit then fails, the person is logged out anyway (the safe side); if Redis
fails, the operation fails and says so. A start is written before the commit too: a key for
a session whose commit failed names a token no browser ever received."""
from __future__ import annotations

import datetime as dt

import redis


class RedisSessions:
    in_table = False

    def __init__(self, client: redis.Redis, prefix: str):
        self.client, self.prefix = client, prefix

    @classmethod
    def from_url(cls, url: str, prefix: str) -> RedisSessions:
        return cls(redis.Redis.from_url(url), prefix)

    def _key(self, token_hash: str) -> str:
        return f"{self.prefix}session:{token_hash}"

    def started(self, token_hash: str, user_id: int, lifetime: dt.timedelta) -> None:
        # The key expires with the session's lifetime, so Redis never fills with old logins.
        self.client.set(self._key(token_hash), user_id, ex=lifetime)

    def ended(self, token_hashes: list[str]) -> None:
        if token_hashes:
            self.client.delete(*(self._key(token_hash) for token_hash in token_hashes))

    def user_id(self, token_hash: str) -> int | None:
        value = self.client.get(self._key(token_hash))
        return int(value) if value is not None else None
