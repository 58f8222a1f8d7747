"""Live sessions in Redis, when REDIS_URL is set: the per-request check asks Redis instead of
the user_sessions table, which records every session and stays the authority.

Ends are written to Redis inside the operation that ends them, before its transaction
commits: if the commit then fails, the person is logged out anyway (the safe side). A start
is written before the commit too: a key for a session whose commit failed names a token no
browser ever received.

When Redis does not answer, this process notes it is down and the table answers every
request instead (user_for_session); a start fails (LiveSessionsDown: the page says to try
again shortly), an end is kept by the table alone. Redis is asked again at most once every
RETRY_SECONDS; when it answers, the key of every session the table says has ended (within
the sessions' lifetime, whichever process ended it) is deleted first, and only then is Redis
trusted again: a cookie logged out during the outage stays logged out."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

import redis

from ..runtime import LiveSessionsDown

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
TIMEOUT_SECONDS = 0.5  # a Redis that hangs costs a request this long, once per retry
BATCH = 1000


class RedisSessions:
    in_table = False

    def __init__(self, client: redis.Redis, prefix: str):
        self.client, self.prefix = client, prefix
        self.down = False
        self._next_try = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, prefix: str) -> RedisSessions:
        return cls(redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                        socket_timeout=TIMEOUT_SECONDS), prefix)

    def _key(self, token_hash: str) -> str:
        return f"{self.prefix}session:{token_hash}"

    def _lost(self, error: Exception) -> None:
        with self._lock:
            if not self.down:
                log.warning("Redis does not answer (%s): sessions are checked in the "
                            "database until it does", error)
            self.down, self._next_try = True, time.monotonic() + RETRY_SECONDS

    def answering(self, ended_since_lifetime: Callable[[], list[str]]) -> bool:
        """Whether Redis may answer for sessions now. After an outage, at most once every
        RETRY_SECONDS: ping it, delete the keys of every session `ended_since_lifetime()`
        names (the table's ends), then trust it again."""
        if not self.down:
            return True
        if time.monotonic() < self._next_try:
            return False
        try:
            self.client.ping()
            ended = ended_since_lifetime()
            for start in range(0, len(ended), BATCH):
                self.client.delete(*(self._key(h) for h in ended[start:start + BATCH]))
        except redis.RedisError as error:
            self._lost(error)
            return False
        with self._lock:
            self.down = False
        log.warning("Redis answers again: %d ended sessions removed from it", len(ended))
        return True

    def ping(self) -> bool:
        """Whether Redis answers this moment (the health check, and pages that need it)."""
        try:
            self.client.ping()
        except redis.RedisError as error:
            self._lost(error)
            return False
        return True

    def started(self, token_hash: str, user_id: int, lifetime: dt.timedelta) -> None:
        # The key expires with the session's lifetime, so Redis never fills with old logins.
        try:
            self.client.set(self._key(token_hash), user_id, ex=lifetime)
        except redis.RedisError as error:
            self._lost(error)
            raise LiveSessionsDown("sessions cannot be started while Redis is down") from error

    def ended(self, token_hashes: list[str]) -> None:
        if not token_hashes:
            return
        try:
            self.client.delete(*(self._key(token_hash) for token_hash in token_hashes))
        except redis.RedisError as error:
            self._lost(error)  # the table holds the end; Redis loses the key on its return

    def user_id(self, token_hash: str) -> int | None:
        try:
            value = self.client.get(self._key(token_hash))
        except redis.RedisError as error:
            self._lost(error)
            raise LiveSessionsDown("Redis does not answer") from error
        return int(value) if value is not None else None
