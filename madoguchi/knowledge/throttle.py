"""Per-client rate limits for the public help center (search and votes from anonymous readers).

Readers are counted by a keyed hash of their address, never the address itself. Counters live
in Django's cache (fixed one-window buckets): with the default in-process cache each server
process counts on its own, a shared cache (database, Redis) makes the limit global.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

SALT = "madoguchi.knowledge.client"


def client_of(request: HttpRequest) -> str:
    """The reader's address, hashed (the proxy in front sets REMOTE_ADDR correctly)."""
    address = str(request.META.get("REMOTE_ADDR") or "unknown")
    return salted_hmac(SALT, address).hexdigest()[:32]


def allow(bucket: str, client: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one request; False once the client made more than `limit` in this window."""
    slot = int(time.time() // window_seconds)
    key = f"kb-throttle:{bucket}:{client}:{slot}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit


def search_per_minute() -> int:
    """Searches one client may run per minute (`KB_SEARCH_RATE_LIMIT_PER_MINUTE`, default 60)."""
    from django.conf import settings

    return int(settings.KB_SEARCH_RATE_LIMIT_PER_MINUTE)
