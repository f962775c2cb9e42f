"""Contact-form deflection: suggestions while the customer writes, and the article link that
records the click (public, no login)."""

from django.urls import path

from ..views import contact_suggest

urlpatterns = [
    path("contact/<slug:slug>/suggest/", contact_suggest.suggest, name="contact_suggest"),
    path(
        "contact/<slug:slug>/articles/<int:article_id>/",
        contact_suggest.open_article,
        name="contact_article",
    ),
]
