"""The phone and FAX desk."""

from django.urls import path

from ..views import intake

urlpatterns = [
    path("calls/new/", intake.call_new, name="call_new"),
    path("calls/lookup/", intake.caller_lookup, name="caller_lookup"),
    path("fax/new/", intake.fax_new, name="fax_new"),
]
