"""A management command whose `help` is a lazy translation.

argparse formats its description with `re.sub`, which needs a real `str`; a lazy `help`
made `madoguchi serve --help` crash. The description is translated when the parser is built.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class TranslatedCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = str(self.help) if self.help else None
        return parser
