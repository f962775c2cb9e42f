from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "madoguchi.automation"
    label = "automation"

    def ready(self) -> None:
        from madoguchi.core.events import MessageAdded, MessageReceived, TicketUpdated, subscribe

        from .subscribers import on_message_added, on_message_received, on_ticket_updated

        subscribe(MessageAdded, on_message_added)
        subscribe(TicketUpdated, on_ticket_updated)
        subscribe(MessageReceived, on_message_received)
