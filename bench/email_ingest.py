"""Email parse and ingest throughput over the mail corpus in ../shared/data/email/.

    python bench/email_ingest.py                      # a fresh SQLite database in a temp folder
    DATABASE_URL=postgres://… python bench/email_ingest.py   # a fresh test_<name> database

Every file of the corpus (licence and description files aside) is read into memory first.
Then `parse_mail` runs over all of them (parse only), and `receive()` over all of them into
one email inbox on an empty, migrated database: store (compressed) → parse → classify →
thread → ingest, each mail committed on its own, as the SMTP listener and IMAP do it.
Prints JSON and keeps bench/out/email-ingest-<database>.json.

    python bench/email_ingest.py --queries            # also SQL statements / commits per mail
    python bench/email_ingest.py --limit 300 --profile 30   # cProfile of the ingest, top 30
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
DEFAULT_CORPUS = ROOT.parent / "shared" / "data" / "email"
NOT_MAIL = {".json", ".md", ".go", ".py", ".rb", ".yml", ".yaml"}


def log(message: str) -> None:
    print(f"[email_ingest {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_files(folder: Path) -> list[Path]:
    """Every mail file under `folder`: all files except licences, READMEs and data sidecars."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith((".", "LICENSE", "COPYING", "README"))
        and p.suffix.lower() not in NOT_MAIL
    )


def fresh_database() -> tuple[str, Any]:
    """Set up Django on an empty, migrated database; returns (vendor, cleanup)."""
    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="madoguchi-email-bench-")
        os.environ["MADOGUCHI_DATA_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        folder = os.environ.get("MADOGUCHI_DATA_DIR", "")
        if not folder.startswith(tempfile.gettempdir()):
            return "sqlite", lambda: None

        def remove() -> None:
            connection.close()
            shutil.rmtree(folder, ignore_errors=True)

        return "sqlite", remove
    # PostgreSQL: Django's own test-database creation gives an empty test_<name> database.
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection.vendor, lambda: connection.creation.destroy_test_db(original, verbosity=0)


def machine(vendor: str) -> dict[str, Any]:
    from machine import _commit, _cpu_model, _ram_gib, machine_info

    if vendor == "postgresql":
        return machine_info()
    import sqlite3

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": _commit(),
    }


def bench_parse(mails: list[tuple[str, bytes]]) -> dict[str, Any]:
    from madoguchi.lib.mail.parsing import parse_mail
    from madoguchi.lib.mail.types import MailParseError

    refused: list[str] = []
    crashed: list[str] = []
    started = time.perf_counter()
    for where, raw in mails:
        try:
            parse_mail(raw)
        except MailParseError:
            refused.append(where)
        except Exception as exc:  # a crash is a parser bug: report it, keep measuring
            crashed.append(f"{where}: {type(exc).__name__}: {exc}")
    took = time.perf_counter() - started
    return {
        "seconds": round(took, 3),
        "per_s": round(len(mails) / took, 1) if took else 0.0,
        "not_mail": len(refused),
        "crashed": crashed,
    }


class SqlCounter:
    """Statements and transactions the pipeline sends: one round trip each.

    A statement outside an atomic block is its own (autocommit) transaction; an atomic
    block counts once, at its commit.
    """

    def __init__(self) -> None:
        self.statements = 0
        self.autocommit = 0
        self.commits = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        from django.db import connection

        self.statements += 1
        if connection.get_autocommit() and not connection.in_atomic_block:
            self.autocommit += 1
        return execute(sql, params, many, context)

    def install(self) -> Any:
        from django.db import connection

        connection.ensure_connection()
        original = connection.commit

        def commit() -> None:
            self.commits += 1
            original()

        connection.commit = commit  # type: ignore[method-assign]
        return connection.execute_wrapper(self)

    def per_mail(self, mails: int) -> dict[str, float]:
        n = max(mails, 1)
        return {
            "statements": round(self.statements / n, 2),
            "transactions": round((self.commits + self.autocommit) / n, 2),
            "commits": round(self.commits / n, 2),
            "autocommit_statements": round(self.autocommit / n, 2),
        }


def bench_ingest(
    mails: list[tuple[str, bytes]], *, queries: bool = False, profile: int = 0
) -> dict[str, Any]:
    from madoguchi.accounts.models import Brand
    from madoguchi.connectors.email.inbound import receive
    from madoguchi.core.errors import DomainError
    from madoguchi.inboxes.models import Inbox, InboxKind, RawMail

    brand = Brand.objects.create(
        name="ベンチ商店", slug="bench-mail", support_email="support@bench.test"
    )
    inbox = Inbox.objects.create(
        brand=brand,
        kind=InboxKind.EMAIL,
        name="メール",
        slug="bench-mail",
        address="support@bench.test",
    )
    refused: list[str] = []
    crashed: list[str] = []
    counter = SqlCounter() if queries else None
    wrapper = counter.install() if counter else None
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    if wrapper is not None:
        wrapper.__enter__()
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    for where, raw in mails:
        try:
            receive(inbox.pk, raw, source="import", source_ref=where)
        except DomainError as exc:  # refused before storing (empty, too large)
            refused.append(f"{where}: {exc.code}")
        except Exception as exc:
            crashed.append(f"{where}: {type(exc).__name__}: {exc}")
    took = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(profile)
    if wrapper is not None:
        wrapper.__exit__(None, None, None)
    by_state = Counter(RawMail.objects.filter(inbox=inbox).values_list("state", flat=True))
    errors = Counter(
        error.splitlines()[0][:80] if error else ""
        for error in RawMail.objects.filter(inbox=inbox, state="failed").values_list(
            "error", flat=True
        )
    )
    from madoguchi.tickets.models import Ticket

    return {
        "seconds": round(took, 3),
        "per_s": round(len(mails) / took, 1) if took else 0.0,
        **({"per_mail": counter.per_mail(len(mails))} if counter else {}),
        "stored": sum(by_state.values()),
        "duplicates": len(mails) - sum(by_state.values()) - len(refused) - len(crashed),
        "refused": refused,
        "crashed": crashed,
        "by_state": dict(sorted(by_state.items())),
        "failed_errors": dict(errors.most_common(10)),
        "tickets": Ticket.objects.count(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--name", default="", help="output name (default: email-ingest-<database>)")
    p.add_argument("--limit", type=int, default=0, help="only the first N files")
    p.add_argument("--queries", action="store_true", help="count SQL statements per mail")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile, top N lines")
    p.add_argument("--verbose", action="store_true", help="keep the per-mail error logging")
    args = p.parse_args(argv)
    if not args.corpus.is_dir():
        sys.exit(f"No mail corpus at {args.corpus} (see ../shared/data/README.md)")
    files = corpus_files(args.corpus)
    if args.limit:
        files = files[: args.limit]
    mails = [(str(path.relative_to(args.corpus)), path.read_bytes()) for path in files]
    log(f"{len(mails)} files, {sum(len(r) for _, r in mails) / 1e6:.1f} MB")
    vendor, cleanup = fresh_database()
    if not args.verbose:
        # Failed mails are counted below; their tracebacks would bury the numbers.
        logging.getLogger("madoguchi").setLevel(logging.CRITICAL)
    try:
        from machine import write_result

        parse = bench_parse(mails)
        log(f"parse: {parse['per_s']} mails/s")
        ingest = bench_ingest(mails, queries=args.queries, profile=args.profile)
        log(f"ingest: {ingest['per_s']} mails/s, by state {ingest['by_state']}")
        if "per_mail" in ingest:
            log(f"per mail: {ingest['per_mail']}")
        result = {
            "benchmark": "email_ingest",
            "database": vendor,
            "machine": machine(vendor),
            "corpus": str(args.corpus.name),
            "files": len(mails),
            "bytes": sum(len(r) for _, r in mails),
            "parse_per_s": parse["per_s"],
            "ingest_per_s": ingest["per_s"],
            "failed": ingest["by_state"].get("failed", 0)
            + len(ingest["refused"])
            + len(ingest["crashed"]),
            "by_state": ingest["by_state"],
            "parse": parse,
            "ingest": ingest,
        }
        write_result(args.name or f"email-ingest-{vendor}", result)
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
