"""The ticket workspace and what an agent does on a ticket."""

from django.urls import path

from ..views import files, ticket_kb, tickets, workspace

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
    path("tickets/<int:ticket_id>/kb/search/", ticket_kb.search, name="ticket_kb_search"),
    path(
        "tickets/<int:ticket_id>/kb/suggestions/",
        ticket_kb.suggestions,
        name="ticket_kb_suggestions",
    ),
    path(
        "tickets/<int:ticket_id>/kb/articles/<int:article_id>/insert/",
        ticket_kb.insert,
        name="ticket_kb_insert",
    ),
    path("agents/mention/", workspace.mention_agents, name="mention_agents"),
    path("attachments/<int:attachment_id>/", files.attachment, name="attachment"),
]
