"""Email: outbound SMTP now; inbound (IMAP, threading, Japanese decoding) comes with issue 4."""

from .connector import EmailConnector

__all__ = ["EmailConnector"]
