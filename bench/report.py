"""Markdown tables for docs/performance.md from the JSON that generate.py and api.py write.

    python bench/report.py bench/out/api-100000.json bench/out/api-1000000.json

Each file becomes one column group; rows are the measured cases. Budgets (DESIGN.md §7)
are marked: list/detail p95 < 50 ms, ingest ≥ 300 messages/s.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

P95_BUDGET_MS = 50.0
INGEST_BUDGET = 300.0
BUDGETED = ("list.", "ticket_detail.", "customer_detail.")


def _load(path: str) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data.get("api", data)


def _label(run: dict[str, Any]) -> str:
    return f"{run['sizes']['tickets_ticket']:,} tickets"


def reads_table(runs: list[dict[str, Any]]) -> str:
    head = (
        "| case | " + " | ".join(f"{_label(r)}: p50 / p95 / max (SQL, CPU) ms" for r in runs) + " |"
    )
    lines = [head, "|---|" + "---|" * len(runs)]
    # The run with the most cases sets the order (a small dataset may lack some deep pages).
    ordered = sorted(runs, key=lambda r: -len(r["reads"]))
    keys = list(dict.fromkeys(k for r in ordered for k in r["reads"]))
    for key in keys:
        cells = []
        for r in runs:
            v = r["reads"].get(key)
            if v is None:
                cells.append("–")
                continue
            mark = ""
            if key.startswith(BUDGETED):
                mark = " ✅" if v["p95_ms"] < P95_BUDGET_MS else " ❌"
            times = f"{v['p50_ms']:.1f} / **{v['p95_ms']:.1f}** / {v['max_ms']:.0f}"
            cpu = v.get("python_cpu_p50_ms", 0.0)
            cells.append(f"{times} ({v['db_p50_ms']:.0f}, {cpu:.0f}){mark}")
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parts_table(runs: list[dict[str, Any]]) -> str:
    lines = ["| part | " + " | ".join(f"{_label(r)}: p50 / p95 ms" for r in runs) + " |"]
    lines.append("|---|" + "---|" * len(runs))
    keys = list(dict.fromkeys(k for r in runs for k in r["parts"]))
    for key in keys:
        cells = []
        for r in runs:
            v = r["parts"].get(key)
            cells.append(f"{v['p50_ms']:.1f} / {v['p95_ms']:.1f}" if v else "–")
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ingest_table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| dataset | processes | messages | messages/s | new p50 / p95 ms | reply p50 / p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        for v in r.get("ingest", []):
            mark = " ✅" if v["messages_per_second"] >= INGEST_BUDGET else " ❌"
            lines.append(
                f"| {_label(r)} | {v['processes']} | {v['messages']} | "
                f"**{v['messages_per_second']:.0f}**{mark} | "
                f"{v['new_p50_ms']:.1f} / {v['new_p95_ms']:.1f} | "
                f"{v['reply_p50_ms']:.1f} / {v['reply_p95_ms']:.1f} |"
            )
    return "\n".join(lines)


def main(paths: list[str]) -> int:
    if not paths:
        sys.exit(__doc__)
    runs = [_load(p) for p in paths]
    print("### Reads\n")
    print(reads_table(runs))
    print("\n### Parts measured on their own\n")
    print(parts_table(runs))
    print("\n### Ingest\n")
    print(ingest_table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
