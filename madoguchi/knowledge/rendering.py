"""Article Markdown → safe HTML, shared by the console preview and the public help center.

Article bodies are written by staff but imported from files too, so they are never trusted:
raw HTML in the Markdown is escaped by the parser (``html=False``) and the rendered HTML
still passes through nh3 (``madoguchi.lib.html.sanitise``). Images are allowed by URL
(http/https or a relative path), links get ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from madoguchi.lib.html import html_to_text, sanitise

# CommonMark plus GitHub-style tables and ~~strikethrough~~; no raw HTML; soft line breaks
# become <br> because Japanese FAQ writers break lines where they mean them.
_MD = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def render_markdown(text: str) -> str:
    """The article body as sanitised HTML, ready to mark safe in a template."""
    if not text:
        return ""
    return sanitise(_MD.render(text))


def markdown_to_text(text: str) -> str:
    """The article body as readable plain text, for snippets and search passages."""
    if not text:
        return ""
    return html_to_text(render_markdown(text))
