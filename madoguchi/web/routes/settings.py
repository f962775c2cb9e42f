"""Settings pages for leads and admins (and every agent's own API tokens)."""

from django.urls import path

from ..views import original_mail, tokens
from ..views.settings import agents, audit, brands, inboxes, index, macros, mail, tags, teams

urlpatterns = [
    path("settings/", index.index, name="settings"),
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke, name="token_revoke"),
    path("settings/agents/", agents.agent_list, name="settings_agents"),
    path("settings/agents/new/", agents.agent_new, name="settings_agent_new"),
    path("settings/agents/<int:agent_id>/", agents.agent_edit, name="settings_agent"),
    path(
        "settings/agents/<int:agent_id>/password/",
        agents.agent_password,
        name="settings_agent_password",
    ),
    path(
        "settings/agents/<int:agent_id>/active/", agents.agent_active, name="settings_agent_active"
    ),
    path(
        "settings/agents/<int:agent_id>/inboxes/",
        agents.agent_inboxes,
        name="settings_agent_inboxes",
    ),
    path("settings/teams/", teams.team_list, name="settings_teams"),
    path("settings/teams/<int:team_id>/rename/", teams.team_rename, name="settings_team_rename"),
    path("settings/teams/<int:team_id>/delete/", teams.team_delete, name="settings_team_delete"),
    path("settings/brands/", brands.brand_list, name="settings_brands"),
    path("settings/brands/<int:brand_id>/", brands.brand_edit, name="settings_brand"),
    path(
        "settings/brands/<int:brand_id>/delete/", brands.brand_delete, name="settings_brand_delete"
    ),
    path("settings/inboxes/", inboxes.inbox_list, name="settings_inboxes"),
    path("settings/inboxes/new/<str:kind>/", inboxes.inbox_new, name="settings_inbox_new"),
    path("settings/inboxes/<int:inbox_id>/", inboxes.inbox_edit, name="settings_inbox"),
    path(
        "settings/inboxes/new/email/test/<str:which>/",
        mail.connection_test,
        name="settings_inbox_new_test",
    ),
    path(
        "settings/inboxes/<int:inbox_id>/test/<str:which>/",
        mail.connection_test,
        name="settings_inbox_test",
    ),
    path("settings/inboxes/<int:inbox_id>/mail/", mail.mail_status, name="settings_inbox_mail"),
    path(
        "settings/inboxes/<int:inbox_id>/mail/<int:raw_mail_id>/reprocess/",
        mail.reprocess,
        name="settings_inbox_mail_reprocess",
    ),
    path(
        "settings/inboxes/<int:inbox_id>/mail/<int:raw_mail_id>/eml/",
        mail.download,
        name="settings_inbox_mail_eml",
    ),
    # The original of an email message, for every agent who sees the ticket (not a setting;
    # listed here with the other received-mail pages).
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/original/",
        original_mail.original_mail,
        name="ticket_original_mail",
    ),
    path("settings/macros/", macros.macro_list, name="settings_macros"),
    path("settings/macros/new/", macros.macro_new, name="settings_macro_new"),
    path("settings/macros/preview/", macros.macro_preview, name="settings_macro_preview"),
    path("settings/macros/<int:macro_id>/", macros.macro_edit, name="settings_macro"),
    path(
        "settings/macros/<int:macro_id>/delete/", macros.macro_delete, name="settings_macro_delete"
    ),
    path("settings/tags/", tags.tag_list, name="settings_tags"),
    path("settings/tags/<int:tag_id>/rename/", tags.tag_rename, name="settings_tag_rename"),
    path("settings/tags/<int:tag_id>/merge/", tags.tag_merge, name="settings_tag_merge"),
    path("settings/tags/<int:tag_id>/delete/", tags.tag_delete, name="settings_tag_delete"),
    path("settings/audit/", audit.audit_log, name="settings_audit"),
]
