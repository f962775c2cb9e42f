from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "madoguchi.automation"
    label = "automation"

    def ready(self) -> None:
        from madoguchi.core.events import (
            MessageAdded,
            MessageReceived,
            TicketCreated,
            TicketUpdated,
            subscribe,
        )

        from .acknowledgements import on_ticket_created
        from .subscribers import on_message_added, on_message_received, on_ticket_updated

        subscribe(MessageAdded, on_message_added)
        subscribe(TicketUpdated, on_ticket_updated)
        subscribe(MessageReceived, on_message_received)
        subscribe(TicketCreated, on_ticket_created)
