"""The whole benchmark against DATABASE_URL: migrate, generate, measure.

    make bench                       # a throwaway PostgreSQL via tests/pgserver.py, 1M tickets
    MADOGUCHI_BENCH_TICKETS=100000 make bench
    DATABASE_URL=postgres://… python bench/run_all.py --tickets 100000

Writes bench/out/generate-<n>.json, bench/out/api-<n>.json, bench/out/console-<n>.json and
bench/out/run-<n>.json (all together).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def step(name: str, command: list[str]) -> None:
    print(
        f"[run_all {time.strftime('%H:%M:%S')}] {name}: {' '.join(command)}",
        file=sys.stderr,
        flush=True,
    )
    started = time.perf_counter()
    done = subprocess.run(command, cwd=HERE.parent, stdout=subprocess.DEVNULL)
    took = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{name} failed with status {done.returncode} after {took:.0f} s")
    print(f"[run_all] {name} done in {took:.0f} s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = int(os.environ.get("MADOGUCHI_BENCH_TICKETS", "1000000"))
    p.add_argument("--tickets", type=int, default=default)
    p.add_argument("--truncate", action="store_true", help="empty the benchmark tables first")
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--ingest", type=int, default=2000)
    args = p.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (make bench starts one for you)")
    py = sys.executable
    step("migrate", [py, "-m", "madoguchi.cli", "migrate", "--no-input", "-v", "0"])
    generate = [py, str(HERE / "generate.py"), "--tickets", str(args.tickets)]
    step("generate", generate + (["--truncate"] if args.truncate else []))
    name = f"api-{args.tickets}"
    step(
        "api",
        [
            py,
            str(HERE / "api.py"),
            "--reps",
            str(args.reps),
            "--ingest",
            str(args.ingest),
            "--name",
            name,
        ],
    )
    console = f"console-{args.tickets}"
    step("console", [py, str(HERE / "console.py"), "--reps", str(args.reps), "--name", console])
    combined = {
        "generate": json.loads((OUT / f"generate-{args.tickets}.json").read_text(encoding="utf-8")),
        "api": json.loads((OUT / f"{name}.json").read_text(encoding="utf-8")),
        "console": json.loads((OUT / f"{console}.json").read_text(encoding="utf-8")),
    }
    path = OUT / f"run-{args.tickets}.json"
    path.write_text(json.dumps(combined, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(combined, ensure_ascii=False, indent=2))
    print(f"[run_all] wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
