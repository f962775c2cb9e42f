"""The public contact form: one per form inbox at /contact/<inbox>/; replies go by email."""

from ..base import RepliesByEmail
from ..registry import register


class FormConnector(RepliesByEmail):
    kind = "form"


register(FormConnector())
