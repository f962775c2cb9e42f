"""Every write to tickets goes through these functions (DESIGN.md §2)."""

from .changes import do_mark_spam, do_update_ticket
from .customer_merge import do_merge_customers
from .macros import do_apply_macro, render_macro
from .merging import do_merge_tickets
from .opening import add_inbound_message, open_ticket
from .replies import do_reply

__all__ = [
    "add_inbound_message",
    "do_apply_macro",
    "do_mark_spam",
    "do_merge_customers",
    "do_merge_tickets",
    "do_reply",
    "do_update_ticket",
    "open_ticket",
    "render_macro",
]
