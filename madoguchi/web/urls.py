"""Console (login required) and public pages (contact forms)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import auth, contact, customers, devmail, files, inbox, intake, outbox, tickets, tokens

app_name = "web"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", auth.set_language, name="language"),
    path("", inbox.inbox, name="inbox"),
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
    path("attachments/<int:attachment_id>/", files.attachment, name="attachment"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/pick/", customers.customer_picker, name="customer_picker"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/merge/", customers.customer_merge, name="customer_merge"),
    path("calls/new/", intake.call_new, name="call_new"),
    path("fax/new/", intake.fax_new, name="fax_new"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:outbox_id>/retry/", outbox.retry, name="outbox_retry"),
    path("dev/mail/", devmail.mail_list, name="dev_mail"),
    path("dev/mail/<str:name>/", devmail.mail_detail, name="dev_mail_message"),
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke, name="token_revoke"),
    path("contact/<slug:slug>/", contact.contact, name="contact"),
    path("contact/<slug:slug>/thanks/", contact.thanks, name="contact_thanks"),
]
