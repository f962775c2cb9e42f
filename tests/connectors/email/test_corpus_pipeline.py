"""Every mail of the shared corpus through the whole pipeline: none crashes, none is dropped.

Skipped visibly when ../shared/data/email is absent (it is not part of the repository).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from madoguchi.connectors.email.inbound import receive
from madoguchi.core.errors import ValidationFailed
from madoguchi.inboxes.models import RawMail, RawMailState

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"
NOT_MAIL = {".json", ".md", ".txt.license"}
# What a failed row may say: mail we cannot use, never a crash of ours.
KNOWN_FAILURES = ("no usable sender address", "not an RFC 5322 mail", "empty", "unparseable")
UNKNOWN = ("Error:", "Exception:")  # process_raw writes "<ExceptionClass>: …" for a crash


def corpus_files() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix not in NOT_MAIL and not p.name.startswith(("LICENSE", "README"))
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/data/email is not on this machine")
def test_every_corpus_mail_ends_in_a_visible_state(inboxes) -> None:  # type: ignore[no-untyped-def]
    inbox = inboxes["email"]
    refused: list[str] = []
    stored_ids: set[int] = set()
    files = corpus_files()
    for path in files:
        try:
            raw = receive(inbox.pk, path.read_bytes(), source="import", source_ref=str(path.name))
        except ValidationFailed as exc:  # refused before storing: only empty files
            assert exc.code == "empty_mail", (path, exc.code)
            refused.append(path.name)
            continue
        stored_ids.add(raw.pk)
    states = Counter(RawMail.objects.values_list("state", flat=True))
    assert RawMail.objects.count() == len(stored_ids)
    assert states[RawMailState.PENDING] == 0
    assert len(refused) <= 2
    for error in RawMail.objects.filter(state=RawMailState.FAILED).values_list("error", flat=True):
        assert any(known in error for known in KNOWN_FAILURES), error
        assert not any(word in error.split(" ", 1)[0] for word in UNKNOWN), error
    # Most of it is real mail or bounces that found their place.
    assert states[RawMailState.INGESTED] + states[RawMailState.BOUNCE] > 0.9 * len(stored_ids)
    print(f"\n{len(files)} files: {dict(states)}, refused {refused}")
