"""Screenshots of the console for the README, taken from the running demo shop.

    make demo                                   # in one terminal (serves :8000)
    .venv/bin/python docs/screenshots/take.py   # in another

Debian Chromium through Playwright, 1366×860, the demo's agent 佐藤 (sato) in Japanese and
in English. Writes inbox-ja.png, ticket-ja.png, inbox-en.png, ticket-en.png next to this file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--user", default="sato")
    p.add_argument("--password", default="madoguchi-sato")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for language in ("ja", "en"):
            page = browser.new_page(viewport={"width": 1366, "height": 860}, locale=language)
            page.goto(f"{args.url}/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{args.url}/**")
            page.goto(f"{args.url}/?view=unsolved")
            page.click(f".lang-switch button[value={language}]")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(HERE / f"inbox-{language}.png"))
            # The first ticket with a conversation worth showing: the newest with replies.
            page.locator("[data-ticket-id] a").first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(HERE / f"ticket-{language}.png"))
            page.close()
        browser.close()
    print("wrote", ", ".join(sorted(p.name for p in HERE.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
