"""Fixtures for the pipeline tests; other test folders of the core import what they need."""

from __future__ import annotations

import pytest

from .concurrency import concurrent_db  # noqa: F401  (fixture)
from .smtp import smtp_down, smtp_server  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    """Agents get passwords; the production hasher's cost is not what these tests measure."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
