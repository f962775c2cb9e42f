"""Real mail servers started by the test session (Dovecot for IMAP)."""
