"""Screenshots of the console for the README, taken from the running demo shop.

    make demo                                   # in one terminal (serves :8000)
    .venv/bin/python docs/screenshots/take.py   # in another

Debian Chromium through Playwright, 1366×860, the demo's agent 佐藤 (sato) in Japanese and
in English. Writes inbox-ja.png, ticket-ja.png, inbox-en.png, ticket-en.png next to this file.
Install Debian's `chromium-l10n` too, or the browser's own widgets (date inputs) stay English.

The ticket shown is one with a whole conversation: the customer's message, an agent's reply
and an internal note that @mentions a colleague. The lead looks for it (so sato's unread
markers stay as the demo seeded them); `--ticket` picks one by number instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]
VIEWPORT = {"width": 1366, "height": 860}
# Candidates for the ticket screenshot: the shop's recent, settled-looking conversations.
SEARCH_VIEWS = ("?view=pending", "?view=unsolved", "?view=solved")
MAX_CANDIDATES = 60


def log_in(page: Any, url: str, user: str, password: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/login/" not in address)


def switch_language(page: Any, language: str) -> None:
    """Use the console's own language switch and check the page really changed."""
    button = page.locator(f".lang-switch button[value={language}]")
    if button.get_attribute("aria-pressed") != "true":
        with page.expect_navigation():
            button.click()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=language)
    pressed = page.locator(".lang-switch button[aria-pressed=true]").get_attribute("value")
    if pressed != language:
        raise SystemExit(f"the language switch did not switch to {language}")


def settle(page: Any) -> None:
    """Wait for the page, its fonts and the live connection (presence bar, badges)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    try:
        page.wait_for_selector("body[data-live=connected]", timeout=5000)
    except Exception:  # still worth a picture; say so
        print("warning: the live connection did not come up", file=sys.stderr)
    # No caret blinking or hover state in the picture.
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")


def shows_off(page: Any) -> bool:
    """Customer message, agent reply and a note that names a colleague, all on the page."""
    return bool(
        page.locator(".msg-in").count()
        and page.locator(".msg-out").count()
        and page.locator(".msg-note .mention").count()
    )


def find_ticket(browser: Any, url: str, user: str, password: str) -> int:
    page = browser.new_page(viewport=VIEWPORT)
    log_in(page, url, user, password)
    tried: set[int] = set()
    for query in SEARCH_VIEWS:
        page.goto(f"{url}/{query}")
        ids = [
            int(value)
            for value in page.locator("tr[data-ticket-id]").evaluate_all(
                "rows => rows.map(r => r.dataset.ticketId)"
            )
        ]
        for ticket_id in ids:
            if ticket_id in tried or len(tried) >= MAX_CANDIDATES:
                continue
            tried.add(ticket_id)
            page.goto(f"{url}/tickets/{ticket_id}/")
            if shows_off(page):
                page.close()
                return ticket_id
    page.close()
    raise SystemExit("no ticket with a customer message, a reply and a mention note found")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--user", default="sato")
    p.add_argument("--password", default="madoguchi-sato")
    p.add_argument("--finder", default="lead", help="login that looks for the ticket to show")
    p.add_argument("--finder-password", default="madoguchi-lead")
    p.add_argument("--ticket", type=int, help="ticket number to show (default: search)")
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    url = args.url.rstrip("/")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:

        def launch(language: str) -> Any:
            # --lang sets the browser's own locale too (date inputs, number formats).
            # On Linux, Chromium takes its UI locale from the environment, not from --lang.
            lang = "ja-JP" if language == "ja" else "en-US"
            env: dict[str, str | float | bool] = {
                **os.environ,
                "LANG": f"{lang.replace('-', '_')}.UTF-8",
                "LANGUAGE": lang,
            }
            return playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[*CHROMIUM_ARGS, f"--lang={lang}"],
                env=env,
            )

        ticket_id = args.ticket
        if not ticket_id:
            browser = launch("ja")
            ticket_id = find_ticket(browser, url, args.finder, args.finder_password)
            browser.close()
        for language in ("ja", "en"):
            browser = launch(language)
            page = browser.new_page(viewport=VIEWPORT, locale=language, device_scale_factor=1)
            log_in(page, url, args.user, args.password)
            page.goto(f"{url}/?view=unsolved")
            switch_language(page, language)
            settle(page)
            page.screenshot(path=str(args.out / f"inbox-{language}.png"), type="png")
            page.goto(f"{url}/tickets/{ticket_id}/")
            settle(page)
            page.screenshot(path=str(args.out / f"ticket-{language}.png"), type="png")
            browser.close()
    print(f"ticket #{ticket_id}; wrote", ", ".join(sorted(p.name for p in args.out.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
