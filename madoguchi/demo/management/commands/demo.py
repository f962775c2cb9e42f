"""`madoguchi demo`: seed the demo shop (once) and print how to get in."""

from __future__ import annotations

import unicodedata
from argparse import ArgumentParser
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.accounts.models import Brand, Role
from madoguchi.core.commands import TranslatedCommand
from madoguchi.core.errors import DomainError
from madoguchi.demo.seed import DEFAULT_SEED, DEMO_SLUGS, SeedReport, demo_brands_present, seed
from madoguchi.demo.shop import STAFF
from madoguchi.inboxes.models import Inbox, InboxKind


def _width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class Command(TranslatedCommand):
    help = cast(
        str,
        gettext_lazy(
            "Seed a Japanese demo shop (two brands, customers, tickets) and print the logins."
        ),
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--customers", type=int, default=300, help=_("Customers to create."))
        parser.add_argument("--tickets", type=int, default=1000, help=_("Tickets to create."))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("Random seed."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] > 100_000 or options["tickets"] > 200_000:
            raise CommandError(_("That is more than a demo; use bench/generate.py for load tests."))
        if demo_brands_present() != set(DEMO_SLUGS):
            self.stdout.write(_("Seeding the demo shop (about a minute)…"))
            self.stdout.flush()
        try:
            report = seed(
                customers=options["customers"], tickets=options["tickets"], seed=options["seed"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self._print_report(report)
        self._print_access()

    def _print_report(self, report: SeedReport) -> None:
        if report.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo shop seeded in %(seconds).1f s.") % {"seconds": report.seconds}
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(_("The demo shop is already seeded; nothing was changed."))
            )
        counts = {key: report.counts.get(key, 0) for key in (
            "customers", "tickets", "messages", "internal_notes", "agents", "inboxes", "macros",
            "outbox_dead",
        )}  # fmt: skip
        summary = (
            _(
                "Customers: %(customers)d, tickets: %(tickets)d, messages: %(messages)d,"
                " internal notes: %(internal_notes)d, agents: %(agents)d, inboxes: %(inboxes)d,"
                " macros: %(macros)d, failed deliveries (dead letters): %(outbox_dead)d"
            )
            % counts
        )
        self.stdout.write(summary)

    def _print_access(self) -> None:
        url = settings.PUBLIC_URL
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Open %(url)s and sign in:") % {"url": url}))
        roles = dict(Role.choices)
        languages = dict(settings.LANGUAGES)
        rows = [(_("username"), _("password"), _("role"), _("language"))]
        rows += [
            (s.username, s.password, str(roles[s.role]), str(languages.get(s.language, s.language)))
            for s in STAFF
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(
            _("These passwords are public; change them before anyone else can reach this server.")
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Public contact forms:")))
        forms = Inbox.objects.filter(
            brand__slug__in=DEMO_SLUGS, kind=InboxKind.FORM
        ).select_related("brand")
        for inbox in forms.order_by("brand__slug"):
            self.stdout.write(f"  {inbox.brand.name}: {url}/contact/{inbox.slug}/")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Help centers:")))
        for brand in Brand.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"):
            self.stdout.write(f"  {brand.name}: {url}/help/{brand.slug}/")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Email inboxes:")))
        mailboxes = Inbox.objects.filter(
            brand__slug__in=DEMO_SLUGS, kind=InboxKind.EMAIL
        ).select_related("brand")
        for inbox in mailboxes.order_by("brand__slug"):
            self.stdout.write(f"  {inbox.brand.name}: {inbox.address}")
        self.stdout.write(
            _(
                "  Mail to these addresses becomes tickets: `make demo` listens for it by SMTP on"
                " 127.0.0.1:2525, or run `madoguchi email import FILE.eml`."
            )
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("API:")))
        self.stdout.write(
            _("  Documentation: %(url)s/api/v1/docs (OpenAPI: %(url)s/api/v1/openapi.json)")
            % {"url": url}
        )
        self.stdout.write(_('  Create a token: madoguchi createtoken lead --name "my script"'))
        self.stdout.write(_("  Then send it as: Authorization: Bearer <token>"))
        self.stdout.write("")
        self.stdout.write(
            _("Sent mail: run `madoguchi serve --demo` (make demo does) and open %(url)s/dev/mail/")
            % {"url": url}
        )
