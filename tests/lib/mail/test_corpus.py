"""Every mail in ../shared/data/email parses: no crash, str bodies, Japanese without U+FFFD.

The corpus (≈1,060 files from jpmobile, ruby-mail, sisimai, chatwoot, OTOBO, flanker, enmime,
CPython …) lives outside the repo, partly under licences we do not copy; the test skips,
visibly, when it is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from madoguchi.lib.mail.parsing import parse_mail
from madoguchi.lib.mail.types import MailParseError, ParsedMail

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email"
NOT_MAIL_SUFFIXES = {".json", ".md", ".txt.license"}

# Files that really are not a mail: MailParseError is the right answer for them.
NOT_MAIL = {
    "cpython-test_email/msg_19.txt": "a digest body with no header block at all",
    "enmime/mail/erroneous.raw": 'one line "// Not an RFC-822 Document"',
    "ruby-mail/sample_output_multipart": "an empty file",
}
# Japanese files whose source itself carries U+FFFD (so it must come through unchanged).
BROKEN_SOURCE = {
    "jpmobile/iphone-mail3.eml": "the UTF-8 body contains EF BF BD (U+FFFD) three times",
}

JAPANESE_LABEL = re.compile(
    rb"charset\s*=\s*\"?(iso-2022-jp|shift[_-]jis|euc-jp|cp932|x-sjis|sjis|windows-31j)"
    rb"|=\?(iso-2022-jp|shift[_-]jis|euc-jp|sjis|cp932)\?",
    re.I,
)
JAPANESE_DATA = re.compile(
    rb"\x1b(\$[@B]|\(I)|=\?(iso-2022-jp|shift[_-]jis|euc-jp|sjis|cp932)\?", re.I
)
CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uff61-\uff9f]")


def _files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file()
        and not p.name.startswith(("LICENSE", "README"))
        and p.suffix not in NOT_MAIL_SUFFIXES
    )


FILES = _files()
ABSENT = pytest.param(
    None, marks=pytest.mark.skip(reason="../shared/data/email is absent: corpus test skipped")
)


def _readable(mail: ParsedMail, depth: int = 0) -> str:
    """Everything decoded a person would read, including mail returned inside bounces."""
    names = [a.name for a in [*([mail.sender] if mail.sender else []), *mail.to, *mail.cc]]
    out = [mail.subject, mail.text, mail.html, *names, *(a.filename for a in mail.attachments)]
    for att in mail.attachments:
        if depth < 3 and att.content_type in ("message/rfc822", "text/rfc822-headers"):
            try:
                out.append(_readable(parse_mail(att.data), depth + 1))
            except MailParseError:
                pass
    return "\n".join(out)


@pytest.mark.parametrize("name", FILES or [ABSENT])
def test_corpus_file_parses(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    if name in NOT_MAIL:
        with pytest.raises(MailParseError):
            parse_mail(raw)
        return
    mail = parse_mail(raw)
    assert isinstance(mail.text, str) and isinstance(mail.html, str)
    assert isinstance(mail.reply_text, str) and isinstance(mail.subject, str)
    assert "\n" not in mail.subject
    assert all(a.filename for a in mail.attachments)
    assert mail.text.strip() == "" or mail.reply_text.strip() != ""
    if JAPANESE_LABEL.search(raw) and (JAPANESE_DATA.search(raw) or not raw.isascii()):
        readable = _readable(mail)
        assert CJK.search(readable), "Japanese mail decoded without any Japanese character"
        if name not in BROKEN_SOURCE:
            assert "\ufffd" not in readable


def test_corpus_exceptions_still_exist() -> None:
    if not FILES:
        pytest.skip("../shared/data/email is absent: corpus test skipped")
    for name in [*NOT_MAIL, *BROKEN_SOURCE]:
        assert name in FILES, f"{name} listed as an exception but no longer in the corpus"
