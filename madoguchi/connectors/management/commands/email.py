"""`madoguchi email <action>`: the email channel from the command line.

    madoguchi email import PATH [--inbox SLUG]   # .eml, mbox, Maildir or a folder of .eml
    madoguchi email poll [--inbox SLUG]          # fetch IMAP folders now
    madoguchi email reprocess [--inbox SLUG]     # parse failed mails again (after a fix)

Each action is one subparser (in `add_arguments`) plus one `_handle_<action>` method,
which receives the parsed options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.commands import TranslatedCommand
from madoguchi.core.errors import DomainError

OUTCOME_LABELS = {
    "ingested": gettext_lazy("delivered to a ticket"),
    "duplicate": gettext_lazy("already there (skipped)"),
    "bounce": gettext_lazy("bounces recorded"),
    "ignored": gettext_lazy("ignored (automatic mail)"),
    "failed": gettext_lazy("failed"),
}


class Command(TranslatedCommand):
    help = cast(
        str, gettext_lazy("Email channel tasks: import mail, fetch IMAP, re-process failures.")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser(
            "import",
            help=_("Import mail from a .eml file, an mbox, a Maildir or a folder of .eml files."),
        )
        importing.add_argument("path", help=_("The file or folder to import."))
        importing.add_argument(
            "--inbox",
            default="",
            help=_("Slug of the email inbox (needed when there are several)."),
        )

        polling = actions.add_parser("poll", help=_("Fetch new mail from IMAP now."))
        polling.add_argument(
            "--inbox", default="", help=_("Slug of one email inbox (default: all that are due).")
        )
        again = actions.add_parser(
            "reprocess", help=_("Parse and deliver the mails that failed, again.")
        )
        again.add_argument("--inbox", default="", help=_("Slug of one email inbox."))

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_handle_{options['action']}")
        handler(**options)

    def _handle_import(self, *, path: str, inbox: str, verbosity: int = 1, **rest: Any) -> None:
        from madoguchi.connectors.email.importing import OUTCOMES, import_inbox, import_mail

        source = Path(path)
        if not source.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        try:
            target = import_inbox(inbox or None)
            result = import_mail(
                source,
                target,
                progress=(lambda where, outcome: self.stdout.write(f"{outcome}\t{where}"))
                if verbosity > 1
                else None,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(
                _("%(path)s cannot be read (%(error)s).") % {"path": path, "error": exc}
            ) from exc
        for where, error in result.errors:
            self.stderr.write(_("%(where)s: %(error)s") % {"where": where, "error": error})
        self.stdout.write(
            _("%(count)s mails read from %(path)s into the inbox “%(inbox)s”:")
            % {"count": result.total, "path": path, "inbox": target.name}
        )
        for outcome in OUTCOMES:
            self.stdout.write(
                _("  %(label)s: %(count)s")
                % {"label": OUTCOME_LABELS[outcome], "count": result.counts[outcome]}
            )

    def _handle_poll(self, *, inbox: str, **rest: Any) -> None:
        from madoguchi.connectors.email.polling import poll_command

        if poll_command(inbox or None, self.stdout):
            raise CommandError(_("Fetching mail failed for at least one folder."))

    def _handle_reprocess(self, *, inbox: str, **rest: Any) -> None:
        from madoguchi.connectors.email.inbound import reprocess_failed

        try:
            counts = reprocess_failed(inbox or None)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for state, count in sorted(counts.items()):
            self.stdout.write(_("  %(state)s: %(count)s") % {"state": state, "count": count})
