from django.apps import AppConfig


class InboxesConfig(AppConfig):
    name = "madoguchi.inboxes"
    label = "inboxes"

    def ready(self) -> None:
        from madoguchi.core.events import OutboxQueued, subscribe

        from .delivery import on_outbox_queued

        subscribe(OutboxQueued, on_outbox_queued)
