"""What the browser tests share: Debian Chromium's launch flags (DESIGN §6), their marks, and
a page already signed in as an agent.

The `browser` fixture itself is in tests/web/conftest.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls are plain sync.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian Chromium (/usr/bin/chromium) is not installed"
    ),
]


def signed_in_page(browser: Any, base_url: str, agent: Any, *, locale: str = "ja-JP") -> Any:
    """A new page whose context carries the agent's session (no trip through the login form;
    the login itself has its own test)."""
    from django.test import Client

    client = Client()
    client.force_login(agent.user)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    return context.new_page()
