"""Writing a planned ticket through the real pipeline, step by step, at past times.

Customers' messages go through the channel's connector (`connectors.*.parse`) and
`inboxes.ingest`; agents' replies and notes through `tickets.actions.do_reply(at=…)`; field
changes through `tickets.actions.apply_changes(at=…)`. A step whose time would lie in the
future ends the ticket there, so recent tickets are naturally still open.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from madoguchi.accounts.models import Agent, Team
from madoguchi.accounts.permissions import Capability, can
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets.access import get_ticket_for_write, visible_tickets
from madoguchi.tickets.actions import do_mark_spam, do_reply, render_macro
from madoguchi.tickets.actions.changes import apply_changes, check_changes
from madoguchi.tickets.actions.macros import macro_changes
from madoguchi.tickets.models import Macro, Ticket, TimelineEvent

from .contacts import ContactWriter
from .conversations import framing
from .desk import MENTION_SHARE, mention_note
from .planning import CASUAL, TicketPlan
from .timing import agent_time, customer_time

AUTO_CLOSE_AFTER = timedelta(days=4)


class Later(Exception):
    """The next step would happen after 'now': the ticket's history ends here."""


class HistoryWriter:
    """Plays a TicketPlan: the customer's side through ContactWriter, the desk's side
    (triage, notes, replies, status changes) through the ticket actions."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        inboxes: dict[str, Inbox],
        agents: dict[str, Agent],
        teams: dict[str, Team],
        macros: dict[str, Macro],
    ) -> None:
        self.rng, self.now = rng, now
        self.inboxes, self.agents, self.teams, self.macros = inboxes, agents, teams, macros
        self.replies: list[tuple[datetime, int]] = []  # public replies: (time, message id)
        self.contacts = ContactWriter(rng, inboxes, agents)

    # -- one ticket ---------------------------------------------------------------------
    def write(self, plan: TicketPlan) -> int:
        """Write the ticket; returns its id."""
        opened = self.contacts.open(plan)
        try:
            if plan.outcome == "spam":
                self._spam(plan, opened.ticket_id)
            elif plan.channel == "phone":
                self._phone_flow(plan, opened.ticket_id)
            elif plan.channel == "fax":
                self._fax_flow(plan, opened.ticket_id)
            else:
                self._conversation(plan, opened.ticket_id)
        except Later:
            pass
        return opened.ticket_id

    def _conversation(self, plan: TicketPlan, ticket_id: int) -> None:
        rng, script, casual = self.rng, plan.script, plan.channel in CASUAL
        at = plan.at
        if plan.outcome == "new":
            if rng.random() < 0.15:
                extra = (
                    "至急お願いします。"
                    if plan.values["language"] == "ja"
                    else "It's urgent, thanks."
                )
                self.contacts.message(plan, customer_time(rng, at, fast=True), extra, ticket_id)
            return
        at = self._due(agent_time(rng, at, fast=casual))
        self._triage(plan, ticket_id, at)
        if rng.random() < 0.3:
            at = self._due(at + timedelta(minutes=rng.uniform(1, 15)))
            self._note(plan, ticket_id, at)
        if plan.outcome == "on_hold":
            self._reply(plan, ticket_id, at, self._hold_text(plan), "on_hold")
            return
        if plan.outcome == "open" and not script.asks:
            self._change(plan, ticket_id, at, {"status": "open"})
            return
        first_status = "pending" if script.asks or plan.outcome == "pending" else "solved"
        at = self._due(at + timedelta(minutes=rng.uniform(2, 20)))
        self._first_reply(plan, ticket_id, at, first_status)
        if plan.outcome == "pending" or not script.asks:
            if plan.outcome in ("solved", "closed"):
                self._after_solved(plan, ticket_id, at)
            return
        at = self._due(customer_time(rng, at, fast=casual))
        followups = script.followup_casual if casual and script.followup_casual else script.followup
        self.contacts.message(
            plan,
            at,
            framing.customer_reply(rng, plan.answer_of(followups), plan.values, casual=casual),
            ticket_id,
        )
        if plan.outcome == "open":
            return
        at = self._due(agent_time(rng, at, fast=casual))
        body = plan.answer_of(script.reply2)
        text = framing.agent_reply(rng, body, plan.values, channel=plan.channel, first=False)
        self._reply(plan, ticket_id, at, text, "solved")
        self._after_solved(plan, ticket_id, at)

    def _after_solved(self, plan: TicketPlan, ticket_id: int, solved_at: datetime) -> None:
        """Some customers say thanks (which reopens the ticket); solved tickets auto-close."""
        rng, casual = self.rng, plan.channel in CASUAL
        if plan.channel not in ("phone", "fax") and rng.random() < 0.3:
            at = self._due(customer_time(rng, solved_at, fast=casual))
            self.contacts.message(
                plan, at, framing.customer_thanks(rng, plan.values, casual=casual), ticket_id
            )
            solved_at = self._due(agent_time(rng, at, fast=casual))
            self._change(plan, ticket_id, solved_at, {"status": "solved"})
        if plan.outcome == "closed":
            self._system_change(
                ticket_id, self._due(solved_at + AUTO_CLOSE_AFTER), {"status": "closed"}
            )

    # -- channels with agent-logged contacts ----------------------------------------------
    def _phone_flow(self, plan: TicketPlan, ticket_id: int) -> None:
        rng, values = self.rng, plan.values
        if plan.outcome == "new":
            return
        at = self._due(plan.at + timedelta(minutes=rng.uniform(3, 12)))
        self._triage(plan, ticket_id, at)
        follow_up = plan.follow_up
        outcome = plan.answer_of(plan.script.outcome)
        if not follow_up:
            if rng.random() < 0.4 and plan.customer.handles.get("email"):
                body = (
                    "お電話でご案内した内容を、念のためメールでもお送りいたします。\n\n"
                    + plan.answer_of(plan.script.reply)
                )
                self._reply(
                    plan,
                    ticket_id,
                    at,
                    framing.agent_reply(rng, body, values, channel="email"),
                    "solved",
                )
            else:
                self._change(plan, ticket_id, at, {"status": "solved"})
            self._after_solved(plan, ticket_id, at)
            return
        if plan.outcome in ("open", "pending", "on_hold"):
            self._change(plan, ticket_id, at, {"status": plan.outcome})
            if rng.random() < 0.5:
                self._note(plan, ticket_id, at + timedelta(minutes=2))
            return
        at = self._due(agent_time(rng, at))
        self._note(plan, ticket_id, at)
        at = self._due(at + timedelta(minutes=rng.uniform(5, 60)))
        self.contacts.call(
            plan, at, framing.callback_log(values, outcome), "out", ticket_id=ticket_id
        )
        self._change(plan, ticket_id, at + timedelta(minutes=3), {"status": "solved"})
        self._after_solved(plan, ticket_id, at)

    def _fax_flow(self, plan: TicketPlan, ticket_id: int) -> None:
        rng, values = self.rng, plan.values
        if plan.outcome == "new":
            return
        at = self._due(agent_time(rng, plan.at))
        self._triage(plan, ticket_id, at)
        at = self._due(at + timedelta(minutes=rng.uniform(5, 30)))
        self._note(plan, ticket_id, at)
        if plan.outcome in ("open", "pending", "on_hold"):
            self._change(plan, ticket_id, at, {"status": plan.outcome})
            return
        at = self._due(at + timedelta(minutes=rng.uniform(5, 60)))
        if plan.customer.handles.get("email"):
            body = "FAXにてご注文いただき、誠にありがとうございます。\n" + plan.answer_of(
                plan.script.reply
            )
            self._reply(
                plan,
                ticket_id,
                at,
                framing.agent_reply(rng, body, values, channel="email"),
                "solved",
            )
        else:
            self.contacts.call(
                plan,
                at,
                framing.callback_log(values, plan.answer_of(plan.script.outcome)),
                "out",
                ticket_id=ticket_id,
            )
            self._change(plan, ticket_id, at + timedelta(minutes=4), {"status": "solved"})
        self._after_solved(plan, ticket_id, at)

    def _spam(self, plan: TicketPlan, ticket_id: int) -> None:
        at = self._due(agent_time(self.rng, plan.at))
        agent = self.agents[plan.agent]
        stamped_after = timezone.now()
        do_mark_spam(agent, ticket_id)
        # do_mark_spam takes no `at=` and stamps the current time; move what it wrote (the
        # ticket's updated_at and its timeline rows) back to when the agent marked it.
        Ticket.objects.filter(pk=ticket_id).update(updated_at=at)
        TimelineEvent.objects.filter(ticket_id=ticket_id, created_at__gte=stamped_after).update(
            created_at=at
        )

    # -- steps ------------------------------------------------------------------------------
    def _due(self, at: datetime) -> datetime:
        if at > self.now - timedelta(minutes=1):
            raise Later
        return at

    def _triage(self, plan: TicketPlan, ticket_id: int, at: datetime) -> None:
        """The agent takes the ticket (or the lead routes it to a team the agent works)."""
        agent = self.agents[plan.agent]
        changes: dict = {"assignee_id": agent.pk, "add_tags": list(plan.topic.tags)}
        team = plan.topic.team or ("vip" if plan.customer.vip else "")
        if team:
            changes["team_id"] = self.teams[team].pk
        if plan.customer.vip:
            changes["add_tags"].append("VIP")
        if plan.priority:
            changes["priority"] = plan.priority
        sees_it = (
            can(agent, Capability.VIEW_ALL) or visible_tickets(agent).filter(pk=ticket_id).exists()
        )
        actor = agent if sees_it else self.agents["lead"]
        self._change(plan, ticket_id, at, changes, actor=actor)

    def _first_reply(self, plan: TicketPlan, ticket_id: int, at: datetime, status: str) -> None:
        macro = self.macros.get(plan.topic.macro)
        agent = self.agents[plan.agent]
        formal = plan.channel in ("email", "form", "api")
        if macro and formal and macro.set_status == status and self.rng.random() < 0.35:
            # do_apply_macro has no `at=`; this does what it does (render, reply, the macro's
            # field changes, usage count) at the past time, through the same actions.
            ticket = Ticket.objects.select_related("customer", "brand").get(pk=ticket_id)
            changes = macro_changes(macro)
            self._reply(
                plan, ticket_id, at, render_macro(macro, ticket, agent), changes.pop("status", "")
            )
            if changes:
                self._change(plan, ticket_id, at, changes)
            Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
            return
        body = plan.answer_of(plan.script.reply)
        text = framing.agent_reply(
            self.rng, body, plan.values, channel=plan.channel, apologetic=plan.topic.apologetic
        )
        self._reply(plan, ticket_id, at, text, status)

    def _hold_text(self, plan: TicketPlan) -> str:
        if plan.values["language"] == "en":
            body = "We are checking this with our warehouse and will get back to you shortly."
        else:
            body = self.rng.choice(framing.HOLD_REPLIES)
        return framing.agent_reply(
            self.rng, body, plan.values, channel=plan.channel, apologetic=True
        )

    def _reply(
        self, plan: TicketPlan, ticket_id: int, at: datetime, text: str, status: str
    ) -> None:
        message = do_reply(self.agents[plan.agent], ticket_id, text, set_status=status, at=at)
        self.replies.append((at, message.pk))

    def _note(self, plan: TicketPlan, ticket_id: int, at: datetime) -> None:
        options = plan.script.notes + framing.GENERIC_NOTES
        text = framing.pick(self.rng, options, plan.values)
        if self.rng.random() < MENTION_SHARE:
            # Asking a colleague by `@name`: do_reply resolves it and they are notified.
            text = mention_note(self.rng, plan.agent, plan.values)
        do_reply(self.agents[plan.agent], ticket_id, text, internal=True, at=at)

    def _change(
        self,
        plan: TicketPlan,
        ticket_id: int,
        at: datetime,
        changes: dict,
        *,
        actor: Agent | None = None,
    ) -> None:
        actor = actor or self.agents[plan.agent]
        with transaction.atomic():
            ticket = get_ticket_for_write(actor, ticket_id)
            apply_changes(actor, ticket, check_changes(changes), at=at)

    def _system_change(self, ticket_id: int, at: datetime, changes: dict) -> None:
        """What automation does (closing solved tickets after a few days): no agent."""
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            apply_changes(None, ticket, check_changes(changes), at=at)
