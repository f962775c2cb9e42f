"""Every write to tickets goes through these functions (DESIGN.md §2)."""

from .bulk import do_bulk_merge, do_bulk_update
from .changes import do_mark_spam, do_update_ticket
from .customer_merge import do_merge_customers
from .macros import do_apply_macro, render_macro
from .merging import do_merge_tickets
from .opening import add_inbound_message, open_ticket
from .replies import do_reply
from .saved_views import (
    do_create_saved_view,
    do_delete_saved_view,
    do_move_saved_view,
    do_update_saved_view,
)

__all__ = [
    "add_inbound_message",
    "do_apply_macro",
    "do_bulk_merge",
    "do_bulk_update",
    "do_create_saved_view",
    "do_delete_saved_view",
    "do_mark_spam",
    "do_merge_customers",
    "do_merge_tickets",
    "do_move_saved_view",
    "do_reply",
    "do_update_saved_view",
    "do_update_ticket",
    "open_ticket",
    "render_macro",
]
