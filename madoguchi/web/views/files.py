"""Attachments are served only through this permission-checked view, never from MEDIA_URL."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import NotFound
from madoguchi.tickets.access import get_visible_ticket
from madoguchi.tickets.models import Attachment

from ..templatetags.console import PREVIEW_TYPES
from .base import console_view


@require_GET
@console_view
def attachment(request: HttpRequest, agent: Agent, attachment_id: int) -> HttpResponseBase:
    """Stream a file of a ticket the agent can see; anything else is a 404.

    Only plain raster images are shown inline (previews); everything else — SVG, HTML, PDF —
    is a download, and the response may not run scripts or load anything.
    """
    found = (
        Attachment.objects.filter(pk=attachment_id)
        .values_list("message__ticket_id", flat=True)
        .first()
    )
    if found is None:
        raise NotFound(_("Attachment not found."), code="attachment_not_found")
    get_visible_ticket(agent, found)
    item = Attachment.objects.get(pk=attachment_id)
    content_type = (item.content_type or "application/octet-stream").lower()
    inline = content_type in PREVIEW_TYPES and request.GET.get("download") != "1"
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound(_("The file is missing from storage."), code="attachment_missing") from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=item.filename,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
