"""WebSocket routes: the console's live channel.

Cookies authenticate the socket, so the Origin must be one of ALLOWED_HOSTS (a page on
another site cannot open it with the agent's session).
"""

from __future__ import annotations

from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from .consumers import ConsoleConsumer

websocket_urlpatterns: list = [
    path("ws/console/", AllowedHostsOriginValidator(ConsoleConsumer.as_asgi())),
]
