"""Console (login required) and public pages (contact forms)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .routes import (
    contact_suggest,
    customers,
    helpcenter,
    inbox,
    intake,
    kb_insights,
    kb_review,
    knowledge,
    live,
    notifications,
    settings,
    tickets,
)
from .views import auth, contact, devmail, outbox

app_name = "web"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", auth.set_language, name="language"),
    *inbox.urlpatterns,
    *tickets.urlpatterns,
    *customers.urlpatterns,
    *intake.urlpatterns,
    *settings.urlpatterns,
    *live.urlpatterns,
    *notifications.urlpatterns,
    *knowledge.urlpatterns,
    *kb_insights.urlpatterns,
    *kb_review.urlpatterns,
    *helpcenter.urlpatterns,
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:outbox_id>/retry/", outbox.retry, name="outbox_retry"),
    path("dev/mail/", devmail.mail_list, name="dev_mail"),
    path("dev/mail/<str:name>/", devmail.mail_detail, name="dev_mail_message"),
    path("contact/<slug:slug>/", contact.contact, name="contact"),
    path("contact/<slug:slug>/thanks/", contact.thanks, name="contact_thanks"),
    *contact_suggest.urlpatterns,
]
