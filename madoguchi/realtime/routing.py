"""WebSocket routes. The live inbox and presence consumers arrive with the console (issue 3)."""

from __future__ import annotations

websocket_urlpatterns: list = []
