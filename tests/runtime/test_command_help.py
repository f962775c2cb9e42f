"""`--help` of our commands prints their translated description (a lazy one used to crash)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("serve", "--no-worker"),
        ("worker", "--exit-with-parent"),
        ("demo", "--tickets"),
    ],
)
def test_help_prints(tmp_path, command: str, words: str) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "MADOGUCHI_DATA_DIR": str(tmp_path), "LANG": "C.UTF-8"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert words in " ".join(done.stdout.split())
