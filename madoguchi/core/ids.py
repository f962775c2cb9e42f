"""Record ids typed into URLs and forms.

`str.isdigit()` accepts 「²」 and 「①」, which `int()` refuses, and a 30-digit number overflows
the database's integer in an `IN (…)`: both would be a 500. Every id from a request goes
through `parse_id`; None means "not an id", which callers turn into a 404 or 422.
"""

from __future__ import annotations

MAX_DIGITS = 18  # below 2**63


def parse_id(value: object) -> int | None:
    """The positive id in `value` (ASCII digits only), or None."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number > 0 else None
