from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """Live console: domain events fan out to WebSocket groups (fanout.py, consumers.py)."""

    name = "madoguchi.realtime"
    label = "realtime"

    def ready(self) -> None:
        from . import fanout

        fanout.connect()
