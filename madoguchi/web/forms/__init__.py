"""Console forms, one module per area; the names most views use are re-exported here."""

from .common import TicketNumberField, parse_ticket_number, set_choices, split_tags
from .customers import CustomerForm, MergeCustomerForm
from .inbox import InboxFilterForm
from .intake import CallForm, FaxForm
from .tickets import MergeTicketForm, ReplyForm, TicketUpdateForm
from .tokens import TokenForm

__all__ = [
    "CallForm",
    "CustomerForm",
    "FaxForm",
    "InboxFilterForm",
    "MergeCustomerForm",
    "MergeTicketForm",
    "ReplyForm",
    "TicketNumberField",
    "TicketUpdateForm",
    "TokenForm",
    "parse_ticket_number",
    "set_choices",
    "split_tags",
]
