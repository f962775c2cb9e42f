"""Fixtures for the pipeline tests: concurrent database access and a real SMTP server."""

from __future__ import annotations

from .concurrency import concurrent_db  # noqa: F401  (fixture)
from .smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)
