"""Customer HTML is hostile: everything rendered passes through nh3 first."""

from __future__ import annotations

import html as _html
import re

import nh3

_ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html or "",
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def text_to_html(text: str) -> str:
    """Plain text as safe HTML paragraphs, line breaks kept."""
    escaped = _html.escape(text or "")
    paragraphs = re.split(r"\n{2,}", escaped.strip())
    return "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs if p)


def html_to_text(raw_html: str) -> str:
    """A readable plain-text view of HTML, for previews and the search index."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", raw_html or "")
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = _html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
