"""`madoguchi worker`: the django-tasks database worker plus the outbox sweeper thread."""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser
from types import FrameType
from typing import Any, cast

from django.core.management.base import CommandError
from django.db import connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TASKS_LOGGER, InvalidTaskBackend, task_backends
from django_tasks_db.management.commands.db_worker import Worker

from madoguchi.core.commands import TranslatedCommand
from madoguchi.runtime.idle import IdleKeeper
from madoguchi.runtime.sweeper import OutboxSweeper

DEFAULT_QUEUES = "default,outbox"


class DeskWorker(Worker):
    """The library's worker; a shutdown signal also stops the sweeper thread."""

    def __init__(self, *, sweeper: OutboxSweeper, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sweeper = sweeper

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        self.sweeper.stopping.set()
        super().shutdown(signum, frame)


class Command(TranslatedCommand):
    help = cast(
        str, gettext_lazy("Run the background worker: deliver the outbox and run queued tasks.")
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues",
            default=DEFAULT_QUEUES,
            help=_("Comma-separated task queues to work (default: %(default)s)."),
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help=_("Seconds to wait when the queue is empty (default: %(default)s)."),
        )
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=10.0,
            help=_("Seconds between outbox sweeps (default: %(default)s)."),
        )
        parser.add_argument(
            "--backend",
            default="default",
            help=_("The task backend to work (default: %(default)s)."),
        )
        parser.add_argument(
            "--no-idle",
            action="store_true",
            help=_("Do not keep IMAP connections in IDLE; rely on polling only."),
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help=_("Stop when the process that started this worker exits (used by serve)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["sweep_interval"] <= 0:
            raise CommandError(_("Intervals must be positive numbers of seconds."))
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()]
        if not queues:
            raise CommandError(_("Name at least one queue."))
        backend_name = options["backend"]
        try:
            backend = task_backends[backend_name]
        except InvalidTaskBackend as exc:
            raise CommandError(
                _("Unknown task backend “%(name)s”.") % {"name": backend_name}
            ) from exc
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                _("The task backend “%(name)s” is not the database backend; nothing to work.")
                % {"name": backend_name}
            )
        # -v 0: warnings only; -v 2+: every task's start and finish; by default the
        # level of MADOGUCHI_TASK_LOG_LEVEL (WARNING: an import enqueues hundreds of tasks).
        verbosity = options["verbosity"]
        task_level: int | str = (
            logging.WARNING
            if verbosity == 0
            else logging.INFO
            if verbosity >= 2
            else os.environ.get("MADOGUCHI_TASK_LOG_LEVEL", "WARNING").upper()
        )
        logging.getLogger(TASKS_LOGGER).setLevel(task_level)
        # The worker's own lines (started, queues) stay visible unless -v 0.
        logging.getLogger("django_tasks_db").setLevel(
            logging.WARNING if verbosity == 0 else logging.INFO
        )

        sweeper = OutboxSweeper(
            options["sweep_interval"], exit_with_parent=options["exit_with_parent"]
        )
        worker = DeskWorker(
            sweeper=sweeper,
            queue_names=queues,
            interval=options["interval"],
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.stdout.write(
            str(_("Worker started: queues %(queues)s, outbox sweep every %(seconds)s s."))
            % {"queues": ", ".join(queues), "seconds": options["sweep_interval"]}
        )
        keeper = None if options["no_idle"] else IdleKeeper()
        worker.configure_signals()
        sweeper.start()
        if keeper is not None:
            keeper.start()
        try:
            worker.run()
        finally:
            if keeper is not None:
                keeper.stop()
            sweeper.stop()
            worker.reset_signals()
            connections.close_all()
            self.stdout.write(str(_("Worker stopped.")))
