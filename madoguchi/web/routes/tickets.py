"""The ticket workspace and what an agent does on a ticket."""

from django.urls import path

from ..views import files, tickets, workspace

urlpatterns = [
    path("tickets/<int:ticket_id>/", tickets.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/reply/", tickets.reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/update/", tickets.update, name="ticket_update"),
    path("tickets/<int:ticket_id>/merge/", tickets.merge, name="ticket_merge"),
    path("tickets/<int:ticket_id>/spam/", tickets.spam, name="ticket_spam"),
    path(
        "tickets/<int:ticket_id>/macros/<int:macro_id>/",
        tickets.macro_preview,
        name="macro_preview",
    ),
    path("agents/mention/", workspace.mention_agents, name="mention_agents"),
    path("attachments/<int:attachment_id>/", files.attachment, name="attachment"),
]
