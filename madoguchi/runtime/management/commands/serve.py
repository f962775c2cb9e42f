"""`madoguchi serve`: the web server (uvicorn, HTTP + WebSocket) and the worker, together.

The embedded setup runs as one command: uvicorn serves `madoguchi.asgi:application` in this
process and the worker runs as a child process (`madoguchi worker`), so a slow delivery never
blocks a web request. `--demo` also runs the catch-all SMTP server and sets MADOGUCHI_DEMO=1,
which turns on the sent-mail viewer at /dev/mail/. Children stop when serve stops.
Production runs `serve --no-worker` and `worker` as separate services (docs/running.md).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any, cast

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core.commands import TranslatedCommand

logger = logging.getLogger(__name__)
CHILD_STOP_SECONDS = 15


class Command(TranslatedCommand):
    help = cast(str, gettext_lazy("Run the web server and the background worker together."))
    # Checks run in handle(), after MADOGUCHI_DEMO is set, so the URLconf sees the flag.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to bind."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to bind."))
        parser.add_argument(
            "--demo",
            action="store_true",
            help=_("Also run the catch-all SMTP server and show sent mail at /dev/mail/."),
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_("Do not start the worker (run `madoguchi worker` separately)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if options["demo"]:
            os.environ["MADOGUCHI_DEMO"] = "1"
        self.check(display_num_errors=False)
        # WhiteNoise serves static files straight from the apps (WHITENOISE_USE_FINDERS);
        # an existing STATIC_ROOT only silences its "no directory" warning.
        if settings.STATIC_ROOT:
            os.makedirs(settings.STATIC_ROOT, exist_ok=True)

        catcher = None
        listener = None
        worker: subprocess.Popen[bytes] | None = None
        previous_term = signal.signal(signal.SIGTERM, _interrupt)
        try:
            if options["demo"]:
                catcher = self._start_catcher()
            if settings.MAIL_LISTEN_PORT:
                listener = self._start_listener()
            if not options["no_worker"]:
                worker = _start_worker()
                threading.Thread(
                    target=_watch_child, args=(worker,), name="worker-watch", daemon=True
                ).start()
            self._print_banner(host, port, demo=options["demo"], worker=worker is not None)
            _run_uvicorn(host, port)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                _stop_child(worker)
            if catcher is not None:
                catcher.stop()
            if listener is not None:
                listener.stop()
            signal.signal(signal.SIGTERM, previous_term)
            self.stdout.write(_("Madoguchi stopped."))

    def _start_catcher(self):  # type: ignore[no-untyped-def]
        from madoguchi.demo.mailcatcher import MailCatcher

        host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise CommandError(
                _(
                    "--demo catches mail on this machine, but MADOGUCHI_SMTP_HOST is %(host)s."
                    " Unset it to use the local catch-all server."
                )
                % {"host": host}
            )
        try:
            return MailCatcher(settings.MAIL_CATCHER_DIR, "127.0.0.1", port).start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(
                _(
                    "The catch-all SMTP server cannot listen on 127.0.0.1:%(port)s (%(error)s)."
                    " Set MADOGUCHI_SMTP_PORT to a free port."
                )
                % {"port": port, "error": exc}
            ) from exc

    def _start_listener(self):  # type: ignore[no-untyped-def]
        from madoguchi.connectors.email.listener import MailListener

        host, port = settings.MAIL_LISTEN_HOST, settings.MAIL_LISTEN_PORT
        try:
            return MailListener(host, port).start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(
                _(
                    "The SMTP listener cannot listen on %(host)s:%(port)s (%(error)s)."
                    " Set MADOGUCHI_MAIL_LISTEN_PORT to a free port."
                )
                % {"host": host, "port": port, "error": exc}
            ) from exc

    def _print_banner(self, host: str, port: int, *, demo: bool, worker: bool) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        url = f"http://{shown}:{port}"
        self.stdout.write(_("Madoguchi is running at %(url)s") % {"url": url})
        self.stdout.write(_("API documentation: %(url)s/api/v1/docs") % {"url": url})
        if worker:
            self.stdout.write(_("Background worker: started (outbox delivery, tasks)."))
        else:
            self.stdout.write(_("Background worker: not started; run `madoguchi worker`."))
        if settings.MAIL_LISTEN_PORT:
            self.stdout.write(
                _("Incoming mail (SMTP) is accepted on %(host)s:%(port)s for the email inboxes.")
                % {"host": settings.MAIL_LISTEN_HOST, "port": settings.MAIL_LISTEN_PORT}
            )
        if demo:
            self.stdout.write(
                _("Sent mail is caught on 127.0.0.1:%(port)s and shown at %(url)s/dev/mail/")
                % {"port": settings.EMAIL_PORT, "url": url}
            )
            self.stdout.write(
                _("The caught messages are also files in %(folder)s")
                % {"folder": settings.MAIL_CATCHER_DIR}
            )
        self.stdout.write(_("Press Ctrl+C to stop."))
        self.stdout.flush()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends serve like Ctrl+C does, so the children are stopped too."""
    raise KeyboardInterrupt


def _run_uvicorn(host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        "madoguchi.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        log_level=os.environ.get("MADOGUCHI_LOG_LEVEL", "info").lower(),
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise CommandError(_("The web server could not start on %(host)s:%(port)s.") % {
            "host": host, "port": port
        })  # fmt: skip


def _start_worker() -> subprocess.Popen[bytes]:
    """The worker in its own process group: Ctrl+C reaches serve, which stops it cleanly."""
    command = [sys.executable, "-m", "madoguchi.cli", "worker", "--exit-with-parent"]
    return subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)  # noqa: S603


def _watch_child(child: subprocess.Popen[bytes]) -> None:
    code = child.wait()
    if code not in (0, -signal.SIGTERM):
        logger.error("the worker exited with status %s; replies are not being delivered", code)


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(CHILD_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
