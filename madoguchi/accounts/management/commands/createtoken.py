"""`madoguchi createtoken <username> [--name NAME]`: an API token, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.accounts.models import Agent
from madoguchi.accounts.tokens import do_create_token
from madoguchi.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for an agent and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="login name of the agent who owns the token")
        parser.add_argument("--name", default="", help="what the token is for (default: cli)")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("No user named “%(username)s”.") % {"username": username})
        if not user.is_active:
            message = _("The user “%(username)s” is deactivated.")
            raise CommandError(message % {"username": username})
        agent = Agent.objects.filter(user=user).first()
        if agent is None:
            raise CommandError(
                _("“%(username)s” has no agent profile; create one in the console first.")
                % {"username": username}
            )
        try:
            token, raw = do_create_token(None, agent, options["name"] or "cli")
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stderr.write(
            _("Token “%(name)s” for %(agent)s. It is shown only this once:")
            % {"name": token.name, "agent": agent.display_name}
        )
        self.stdout.write(raw)
