"""Settings pages for leads and admins."""

from django.urls import path

from ..views import tokens

urlpatterns = [
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", tokens.revoke, name="token_revoke"),
]
