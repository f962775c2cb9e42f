"""The inbox: views, filters, saved views, bulk actions."""

from django.urls import path

from ..views import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
]
