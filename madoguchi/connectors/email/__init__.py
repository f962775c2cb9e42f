"""Email: inbound (IMAP, SMTP listener, webhooks, import) and outbound (SMTP, providers)."""

from .connector import EmailConnector

__all__ = ["EmailConnector"]
