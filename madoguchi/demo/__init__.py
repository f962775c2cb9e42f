"""The demo shop (`madoguchi demo`), the local catch-all SMTP server, and the process commands
(`madoguchi serve`, `madoguchi worker`) that run the embedded setup."""
