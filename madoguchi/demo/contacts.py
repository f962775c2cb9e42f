"""How customers get in touch in the demo history: each first message and follow-up goes
through its channel's connector (`connectors.*.parse`, or the InboundMessage a connector
builds) and `inboxes.ingest`, at the time the plan says."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from madoguchi.accounts.models import Agent
from madoguchi.connectors import api as api_connector
from madoguchi.connectors import fax as fax_connector
from madoguchi.connectors import phone as phone_connector
from madoguchi.connectors.form import submission
from madoguchi.inboxes.ingest import IngestResult, ingest
from madoguchi.inboxes.messages import InboundMessage, SenderHandle
from madoguchi.inboxes.models import Inbox
from madoguchi.tickets.models import Ticket

from .conversations import framing
from .faxscan import FaxOrderLine, fax_order_pdf
from .people import typed_phone
from .planning import CASUAL, TicketPlan
from .timing import local_zone

API_HEADER = "【マイページからのお問い合わせ】"


class ContactWriter:
    """Writes what a customer sends (or what an agent logs for them: calls, FAX scans)."""

    def __init__(
        self, rng: random.Random, inboxes: dict[str, Inbox], agents: dict[str, Agent]
    ) -> None:
        self.rng, self.inboxes, self.agents = rng, inboxes, agents

    def _inbox(self, plan: TicketPlan, channel: str = "") -> Inbox:
        return self.inboxes[f"{plan.shop.short}-{channel or plan.channel}"]

    def open(self, plan: TicketPlan) -> IngestResult:
        """The ticket's first contact, through the channel's connector."""
        rng, script, values, channel = self.rng, plan.script, plan.values, plan.channel
        if channel == "phone":
            summary = framing.call_log(
                framing.pick(rng, script.call, values),
                plan.answer_of(script.outcome),
                follow_up=plan.follow_up,
            )
            return self.call(plan, plan.at, summary, "in", follow_up=plan.follow_up)
        if channel == "fax":
            return self._fax(plan)
        subject = framing.pick(rng, script.subjects, values)
        if plan.outcome == "spam":
            body = framing.pick(rng, script.opening, values)
            if channel == "form":
                return self._form(plan, subject, body)
            return self.message(plan, plan.at, body, None, subject=subject)
        if channel in CASUAL:
            body = framing.casual_opening(
                rng, framing.pick(rng, script.casual or script.opening, values), values, channel
            )
            return self.message(plan, plan.at, body, None)
        body = framing.customer_formal(
            rng, framing.pick(rng, script.opening, values), values, email=channel == "email"
        )
        if channel == "form":
            return self._form(plan, subject, body)
        if channel == "api":
            return self._api(plan, subject, body)
        return self.message(plan, plan.at, body, None, subject=subject)

    def message(
        self, plan: TicketPlan, at: datetime, body: str, ticket_id: int | None, *, subject: str = ""
    ) -> IngestResult:
        """A customer's message on the ticket's channel (form and API threads continue by mail)."""
        ref, channel, rng = plan.customer, plan.channel, self.rng
        if channel in ("email", "form", "api"):
            email = ref.handles["email"]
            sender = SenderHandle("email", email, email)
            external_id = f"<{uuid.UUID(int=rng.getrandbits(128)).hex[:20]}@{email.split('@')[1]}>"
            if ticket_id is not None and not subject:
                subject = "Re: " + Ticket.objects.values_list("subject", flat=True).get(
                    pk=ticket_id
                )
        elif channel == "sms":
            sender = SenderHandle("phone", typed_phone(rng, ref.person.mobile))
            external_id = f"SM{rng.getrandbits(128):032x}"
        elif channel in ("phone", "fax"):
            summary = f"【着信】{body}"
            return self.call(plan, at, summary, "in", ticket_id=ticket_id)
        else:
            display = ref.handles.get(f"{channel}_display", ref.person.name)
            sender = SenderHandle(channel, ref.handles[channel], display)
            external_id = f"{channel}-{rng.getrandbits(64):016x}"
        inbound = InboundMessage(
            inbox_id=self._inbox(plan).pk,
            external_id=external_id,
            sender=sender,
            sender_name=ref.person.name,
            subject=subject,
            body_text=body,
            ticket_id=ticket_id,
            received_at=at,
        )
        return self._ingest(plan, inbound)

    def _form(self, plan: TicketPlan, subject: str, body: str) -> IngestResult:
        ref, rng = plan.customer, self.rng
        data = {
            "name": ref.person.name,
            "name_kana": ref.person.kana if rng.random() < 0.7 else "",
            "email": ref.handles["email"],
            "phone": ref.handles.get("phone", "") if rng.random() < 0.5 else "",
            "order_number": plan.values.get("order", "") if rng.random() < 0.6 else "",
            "category": plan.topic.form_category,
            "subject": subject[:120],
            "body": body,
            "token": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "attachment": None,
        }
        client = f"203.0.113.{rng.randint(1, 254)}"
        inbound = submission.parse(self._inbox(plan), data, client)
        inbound.received_at = plan.at
        return self._ingest(plan, inbound)

    def _api(self, plan: TicketPlan, subject: str, body: str) -> IngestResult:
        ref = plan.customer
        payload = {
            "external_id": f"mypage-{self.rng.getrandbits(40):010x}",
            "customer": {
                "email": ref.handles["email"],
                "name": ref.person.name,
                "name_kana": ref.person.kana,
            },
            "subject": subject,
            "body": f"{API_HEADER}\n注文番号: {plan.values.get('order', '-')}\n\n{body}",
            "priority": plan.priority,
            "tags": ["マイページ"],
        }
        inbound = api_connector.parse(self._inbox(plan).pk, payload)
        inbound.received_at = plan.at
        return self._ingest(plan, inbound)

    def call(
        self,
        plan: TicketPlan,
        at: datetime,
        summary: str,
        direction: str,
        *,
        ticket_id: int | None = None,
        follow_up: bool = False,
    ) -> IngestResult:
        """An agent logs a call (in the brand's phone inbox) through the phone connector."""
        person, rng = plan.customer.person, self.rng
        call = phone_connector.CallLog(
            number=typed_phone(rng, person.mobile or person.landline),
            direction=direction,
            summary=summary,
            follow_up=follow_up,
            caller_name=person.name,
            duration_seconds=rng.randint(60, 900),
            started_at=at,
            ticket_id=ticket_id,
            call_id=f"pbx-{rng.getrandbits(64):016x}",
        )
        inbox = self._inbox(plan, "phone")
        return self._ingest(plan, phone_connector.parse(inbox.pk, call, self.agents[plan.agent].pk))

    def _fax(self, plan: TicketPlan) -> IngestResult:
        rng, values, person = self.rng, plan.values, plan.customer.person
        local = plan.at.astimezone(local_zone())
        products = rng.sample(plan.shop.products, k=rng.randint(1, 3))
        pdf = fax_order_pdf(
            shop=plan.shop.name,
            shop_fax=plan.shop.fax,
            customer=person.name,
            phone=typed_phone(rng, person.landline or person.mobile),
            postal_code=person.postal_code,
            address=person.address,
            payment=values["payment"],
            date=local.strftime("%Y年%m月%d日"),
            lines=[FaxOrderLine(p.name, rng.randint(1, 3), p.price) for p in products],
            note=rng.choice(
                [
                    "いつもの品をお願いします。",
                    f"{values['days']}日までに届くと助かります。",
                    "のしをお願いします（御礼）。",
                    "",
                ]
            ),
        )
        upload = fax_connector.FaxUpload(
            filename=f"FAX注文書_{local:%Y%m%d_%H%M}.pdf",
            content_type="application/pdf",
            data=pdf,
            note=framing.pick(rng, plan.script.opening, values),
            irregular_order=True,
            fax_number=typed_phone(rng, person.fax),
            sender_name=person.name,
            customer_id=plan.customer.pk,
        )
        inbound = fax_connector.parse(self._inbox(plan).pk, upload, self.agents[plan.agent].pk)
        inbound.received_at = plan.at
        return self._ingest(plan, inbound)

    def _ingest(self, plan: TicketPlan, inbound: InboundMessage) -> IngestResult:
        result = ingest(inbound)
        if plan.customer.pk is None:
            plan.customer.pk = result.customer_id
        return result
