"""Formatting helpers for console and public templates: times, channels, badges, sizes.

They only format; no permission decisions happen here (DESIGN.md §2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from madoguchi.inboxes.models import InboxKind
from madoguchi.lib.handles import format_phone
from madoguchi.tickets.models import Priority, Status

register = template.Library()

# Raster images a browser shows without running anything; SVG and the rest are downloads.
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_ICON_PATHS = {
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>',
    "form": '<rect x="5" y="3" width="14" height="18" rx="2"/><path d="M8 8h8M8 12h8M8 16h5"/>',
    "chat": '<path d="M4 5h16v11H9l-5 4z"/>',
    "api": '<path d="M9 7l-5 5 5 5M15 7l5 5-5 5"/>',
    "phone": (
        '<path d="M6 3h3l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v3a2 2 0 0 1-2 2'
        'A16 16 0 0 1 4 5a2 2 0 0 1 2-2z"/>'
    ),
    "fax": (
        '<path d="M7 9V3h10v6"/><rect x="3" y="9" width="18" height="9" rx="2"/>'
        '<path d="M7 15h10v6H7z"/>'
    ),
    "line": '<path d="M12 4c5 0 9 3 9 7s-4 7-9 7l-4 3v-4c-3-1-5-3-5-6 0-4 4-7 9-7z"/>',
    "meta": '<rect x="4" y="4" width="16" height="16" rx="5"/><circle cx="12" cy="12" r="4"/>',
    "x": '<path d="M5 4l14 16M19 4L5 20"/>',
    "sms": '<rect x="6" y="2" width="12" height="20" rx="2"/><path d="M10 18h4"/>',
}
_FALLBACK_ICON = '<circle cx="12" cy="12" r="8"/>'

STATUS_CLASSES = {value: f"status-{value}" for value in Status.values}
# Labels are lazy translations: built once, translated when shown (a list page shows hundreds).
_CHANNEL_LABELS = dict(InboxKind.choices)
_STATUS_LABELS = dict(Status.choices)
_PRIORITY_LABELS = dict(Priority.choices)
PRIORITY_CLASSES = {value: f"priority-{value}" for value in Priority.values}


@register.simple_tag
def channel_icon(kind: str, size: int = 16) -> SafeString:
    """An inline SVG for a channel kind; the label goes to screen readers."""
    paths = _ICON_PATHS.get(kind, _FALLBACK_ICON)
    label = channel_label(kind)
    svg = (
        f'<svg class="icon icon-{kind if kind in _ICON_PATHS else "other"}" width="{int(size)}" '
        f'height="{int(size)}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        f'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        f'focusable="false">{paths}</svg>'
    )
    # Paths are constants chosen by key; only the label is data and it is escaped.
    return format_html('{}<span class="sr-only">{}</span>', mark_safe(svg), label)  # noqa: S308


@register.filter
def channel_label(kind: str) -> str:
    """The translated name of a channel kind."""
    return str(_CHANNEL_LABELS.get(kind, kind))


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "status-other")


@register.filter
def status_label(status: str) -> str:
    return str(_STATUS_LABELS.get(status, status))


@register.filter
def priority_class(priority: str) -> str:
    return PRIORITY_CLASSES.get(priority, "priority-normal")


@register.filter
def priority_label(priority: str) -> str:
    return str(_PRIORITY_LABELS.get(priority, priority))


@register.filter
def abstime(value: datetime | None) -> str:
    """Absolute local time, as agents read it in Japan: 2025/05/01 14:03."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y/%m/%d %H:%M")


@register.filter
def reltime(value: datetime | None) -> str:
    """A <time> element: relative text, absolute time in the tooltip and datetime attribute."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        local.strftime("%Y/%m/%d %H:%M"),
        relative(value),
    )


def relative(value: datetime, now: datetime | None = None) -> str:
    """「5分前」 / "5 minutes ago", one unit only: what a list needs at a glance.

    Django's naturaltime says more ("2 days, 3 hours ago") at ~0.5 ms a call, which was a
    tenth of an inbox page; this is a few microseconds.
    """
    seconds = int(((now or timezone.now()) - value).total_seconds())
    if seconds < 60:
        return _("just now")
    minutes = seconds // 60
    if minutes < 60:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {
            "count": minutes
        }
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    days = hours // 24
    if days < 45:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    return timezone.localtime(value).strftime("%Y/%m/%d")


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number in the form people read (national for home-region numbers)."""
    if not value:
        return ""
    return format_phone(value, settings.PHONE_DEFAULT_REGION)


@register.filter
def filesize(value: int | None) -> str:
    """Sizes the way a file list shows them: 512 B, 12 KB, 3.4 MB."""
    size = int(value or 0)
    if size < 1024:
        return _("%(size)d B") % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)d KB") % {"size": round(size / 1024)}
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}


@register.filter
def previewable(content_type: str) -> bool:
    return (content_type or "").lower() in PREVIEW_TYPES


@register.filter
def initials(name: str) -> str:
    """One or two characters for an avatar: 佐藤 花子 → 佐, Taro Yamada → TY."""
    parts = (name or "").split()
    if not parts:
        return "?"
    if parts[0].isascii():
        return "".join(p[0] for p in parts[:2]).upper()
    return parts[0][0]


@register.filter
def lookup(mapping: object, key: str) -> object:
    """`counts|lookup:name` — a dict value by a variable key (None when absent)."""
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        return None


@register.simple_tag
def select_options(choices: Any, selected: Any = None) -> SafeString:
    """`<option>`s for a choice list in one call: long agent and inbox lists rendered node by
    node cost the inbox page several milliseconds. `selected` is one value or a list."""
    if isinstance(selected, list | tuple | set):
        chosen = {str(v) for v in selected}
    else:
        chosen = {"" if selected is None else str(selected)}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in chosen else "", label) for value, label in choices),
    )
