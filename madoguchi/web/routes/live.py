"""Live console: what pages re-fetch after a WebSocket nudge."""

from django.urls import path

from ..views import live

urlpatterns = [
    path("live/counts/", live.counts, name="live_counts"),
]
