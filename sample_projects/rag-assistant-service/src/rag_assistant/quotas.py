"""Per-customer rate limiting and per-conversation token budgets."""

from __future__ import annotations

import time

from limits import parse_many, storage, strategies
from redis import Redis


class RateLimiter:
    """Moving-window limits per customer, shared by all pods through Redis (``redis://...``)."""

    def __init__(self, storage_uri: str, rate: str) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        self._items = parse_many(rate)

    def hit(self, customer_id: str) -> bool:
        """Count one request; False when any of the configured windows is exhausted."""
        return all(self._limiter.hit(item, "chat", customer_id) for item in self._items)

    def retry_after_seconds(self, customer_id: str) -> int:
        stats = [self._limiter.get_window_stats(item, "chat", customer_id) for item in self._items]
        blocked_until = max((s.reset_time for s in stats if s.remaining == 0), default=time.time())
        return max(1, int(blocked_until - time.time()))


class TokenBudget:
    """Caps the provider tokens one conversation may use (cost control and runaway loops)."""

    def __init__(self, redis: Redis, limit: int, ttl_seconds: int) -> None:
        self._redis = redis
        self._limit = limit
        self._ttl = ttl_seconds

    @staticmethod
    def _key(conversation_id: str) -> str:
        return f"rag-assistant:tokens:{conversation_id}"

    def used(self, conversation_id: str) -> int:
        value = self._redis.get(self._key(conversation_id))
        return int(value) if value is not None else 0

    def exhausted(self, conversation_id: str) -> bool:
        return self.used(conversation_id) >= self._limit

    def charge(self, conversation_id: str, tokens: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incrby(self._key(conversation_id), tokens)
        pipe.expire(self._key(conversation_id), self._ttl)
        total, _ = pipe.execute()
        return int(total)
