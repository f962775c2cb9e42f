"""The Japanese catalogue is complete, compiled and actually used; English stays the msgid.

The .mo files are committed (so `make demo` needs no gettext tools), which is why one test
recompiles the .po and compares the result with the committed .mo.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGS = ("ja", "en")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"line {line}: not a quoted string: {text}")
    out: list[str] = []
    chars = iter(text[1:-1])
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in _ESCAPES:
                raise ValueError(f"line {line}: unknown escape \\{escaped}")
            out.append(_ESCAPES[escaped])
        else:
            out.append(char)
    return "".join(out)


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """A small .po reader: (header fields, entries). Obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            current = current or Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: continuation line outside an entry")
            _append(current, target, _unquote(line, number))
        else:
            match = _KEYWORD.match(line)
            if not match:
                raise ValueError(f"{path}:{number}: cannot read {raw!r}")
            keyword, index, value = match.groups()
            if current is not None and keyword in ("msgctxt", "msgid") and current.msgstr:
                finish()
            current = current or Entry(line=number)
            target = (keyword, int(index) if index is not None else None)
            if keyword.startswith("msgstr"):
                current.msgstr[target[1] or 0] = ""
            _append(current, target, _unquote(value, number))
    finish()

    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    if len(header_entries) != 1:
        raise ValueError(f"{path}: expected one header entry, found {len(header_entries)}")
    header_text = header_entries[0].msgstr.get(0, "")
    header = dict(
        (key.strip(), value.strip())
        for key, _sep, value in (row.partition(":") for row in header_text.splitlines() if row)
    )
    return header, [e for e in entries if e is not header_entries[0]]


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    keyword, index = target
    if keyword == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif keyword == "msgid":
        entry.msgid += text
    elif keyword == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        slot = index or 0
        entry.msgstr[slot] = entry.msgstr.get(slot, "") + text


# --- placeholders -------------------------------------------------------------------------

_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
_BRACES = re.compile(r"\{[^{}]*\}")
_TAGS = re.compile(r"</?[a-zA-Z][^<>]*>")


def placeholders(text: str) -> tuple[set[str], list[str], set[str], list[str]]:
    """Named %(x)s, positional %s/%d (in order), {x} fields and HTML/markup tags of a text."""
    named: set[str] = set()
    positional: list[str] = []
    for name, conversion in _PERCENT.findall(text):
        if conversion == "%":
            continue
        if name:
            named.add(f"%({name}){conversion}")
        else:
            positional.append(f"%{conversion}")
    return named, positional, set(_BRACES.findall(text)), sorted(_TAGS.findall(text))


def test_placeholder_reader_sees_every_kind() -> None:
    named, positional, braces, tags = placeholders(
        'A %(name)s, %(size).1f MB, %d and %s, 100%% sure, {x} <a href="%(docs)s">%(docs)s</a>'
    )
    assert named == {"%(name)s", "%(size)f", "%(docs)s"}
    assert positional == ["%d", "%s"]
    assert braces == {"{x}"}
    assert tags == ["</a>", '<a href="%(docs)s">']


# --- (a) complete, not fuzzy, right header -------------------------------------------------


def test_catalogue_files_exist_next_to_each_other() -> None:
    for lang in LANGS:
        assert po_path(lang).is_file(), f"missing {po_path(lang)}"
        assert po_path(lang).with_suffix(".mo").is_file(), f"missing compiled {lang} catalogue"


def test_japanese_header() -> None:
    header, _entries = read_po(po_path("ja"))
    assert header["Language"] == "ja"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"
    assert header["Project-Id-Version"].startswith("Madoguchi")


def test_english_catalogue_is_known_and_uses_the_msgids() -> None:
    header, entries = read_po(po_path("en"))
    _ja_header, ja_entries = read_po(po_path("ja"))
    assert header["Language"] == "en"
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    # makemessages writes both from the same sources: a difference means one was not updated.
    keys = {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries}
    assert keys == {(e.msgctxt, e.msgid, e.msgid_plural) for e in ja_entries}
    assert not [e.label for e in entries if "fuzzy" in e.flags]


def test_every_japanese_entry_is_translated_and_checked() -> None:
    _header, entries = read_po(po_path("ja"))
    assert len(entries) > 400, "the catalogue looks truncated"
    problems: list[str] = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
        expected_slots = [0]  # nplurals=1: only msgstr[0], for plural entries too
        if sorted(entry.msgstr) != expected_slots:
            problems.append(f"msgstr slots {sorted(entry.msgstr)}: {entry.label}")
        if not all(text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated: {entry.label}")
    assert problems == []


def test_msgids_are_unique() -> None:
    _header, entries = read_po(po_path("ja"))
    keys = [(e.msgctxt, e.msgid) for e in entries]
    assert len(keys) == len(set(keys))


# --- (d) placeholders survive translation --------------------------------------------------


def test_placeholders_and_markup_match_the_msgid() -> None:
    _header, entries = read_po(po_path("ja"))
    problems: list[str] = []
    for entry in entries:
        # Plural entries: the Japanese form stands for the plural text (nplurals=1).
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        want = placeholders(source)
        for text in entry.msgstr.values():
            got = placeholders(text)
            if got != want:
                problems.append(f"{entry.label}: msgid has {want}, msgstr has {got}")
    assert problems == []


# --- (b) the committed .mo matches its .po -------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_is_up_to_date(lang: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext `msgfmt` is not installed; cannot recompile the .po to compare")
    fresh = tmp_path / "django.mo"
    # The same call Django's compilemessages makes.
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(po_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    committed_path = po_path(lang).with_suffix(".mo")
    with fresh.open("rb") as new_file, committed_path.open("rb") as old_file:
        new, old = gettext.GNUTranslations(new_file), gettext.GNUTranslations(old_file)
    # _catalog holds every (context, msgid) → msgstr pair, header included.
    new_catalog = {k: v for k, v in new._catalog.items() if k != ""}  # type: ignore[attr-defined]
    old_catalog = {k: v for k, v in old._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert old_catalog == new_catalog, (
        f"{committed_path} is stale: run `madoguchi compilemessages --ignore=.venv`"
    )
    assert old.info().get("language") == new.info().get("language") == lang
    assert old.info().get("plural-forms") == new.info().get("plural-forms")


# --- (c) key strings come out in Japanese --------------------------------------------------


def test_ticket_vocabulary_in_japanese() -> None:
    from madoguchi.tickets.models import Priority, Status
    from madoguchi.tickets.queries import VIEWS

    with translation.override("ja"):
        statuses = {value: str(label) for value, label in Status.choices}
        priorities = {value: str(label) for value, label in Priority.choices}
        views = {key: str(label) for key, label in VIEWS.items()}
    assert statuses == {
        "new": "新規",
        "open": "対応中",
        "pending": "保留中",
        "on_hold": "待機中",
        "solved": "解決済み",
        "closed": "クローズ",
    }
    assert priorities == {"low": "低", "normal": "普通", "high": "高", "urgent": "緊急"}
    assert views["unassigned"] == "未割り当て"
    assert views["mine"] == "自分の担当"
    assert views["team"] == "チームの担当"
    assert views["unsolved"] == "すべての未解決"
    assert views["spam"] == "スパム"
    with translation.override("en"):
        assert str(Status.ON_HOLD.label) == "On hold"
        assert str(VIEWS["unassigned"]) == "Unassigned"


def test_channel_and_role_labels_in_japanese() -> None:
    """Our catalogue wins over Django's own (which calls "Email" メールアドレス)."""
    from madoguchi.accounts.models import Role
    from madoguchi.customers.models import IdentityKind
    from madoguchi.inboxes.models import InboxKind

    with translation.override("ja"):
        inbox_kinds = {value: str(label) for value, label in InboxKind.choices}
        identity_kinds = {value: str(label) for value, label in IdentityKind.choices}
        roles = {value: str(label) for value, label in Role.choices}
    assert inbox_kinds["email"] == "メール"
    assert inbox_kinds["phone"] == "電話"
    assert inbox_kinds["fax"] == "FAX"
    assert inbox_kinds["chat"] == "ライブチャット"
    assert inbox_kinds["form"] == "お問い合わせフォーム"
    assert inbox_kinds["api"] == "API"
    assert inbox_kinds["sms"] == "SMS"
    assert identity_kinds["email"] == "メール"
    assert identity_kinds["phone"] == "電話"
    assert sorted(roles.values()) == sorted(
        ["管理者", "リーダー", "エージェント", "外部委託エージェント", "閲覧のみ"]
    )


def test_contact_form_labels_in_japanese() -> None:
    from madoguchi.connectors.form.submission import ContactForm

    with translation.override("ja"):
        form = ContactForm()
        labels = {name: str(f.label) for name, f in form.fields.items() if f.label}
        topics = [str(label) for _value, label in form.fields["category"].choices]  # type: ignore[attr-defined]
    assert labels["email"] == "メールアドレス"
    assert labels["phone"] == "電話番号"
    assert labels["name_kana"] == "フリガナ"
    assert labels["order_number"] == "注文番号"
    assert labels["category"] == "お問い合わせの種類"
    assert labels["subject"] == "件名"
    assert "ご注文・配送について" in topics and "返品・交換について" in topics
    with translation.override("en"):
        assert str(ContactForm().fields["email"].label) == "Email address"


def test_interpolated_message_keeps_its_values() -> None:
    from django.utils.translation import gettext

    with translation.override("ja"):
        text = gettext("Assignee: %(old)s → %(new)s") % {"old": "佐藤", "new": "鈴木"}
        size = gettext("%(size).1f MB") % {"size": 2.25}
    assert text == "担当者: 佐藤 → 鈴木"
    assert size == "2.2 MB"


# --- (e) pages follow Accept-Language -------------------------------------------------------


@pytest.mark.django_db
def test_login_page_follows_accept_language(client) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    assert 'lang="en"' in english.text
    assert "Sign in to the support desk" in english.text
    assert "サポートデスクにログイン" not in english.text

    client.cookies.clear()
    japanese = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    assert japanese.status_code == 200
    assert japanese["Content-Language"] == "ja"
    assert 'lang="ja"' in japanese.text
    assert "サポートデスクにログイン" in japanese.text
    assert "ユーザー名" in japanese.text and "パスワード" in japanese.text
    assert "Sign in to the support desk" not in japanese.text


@pytest.mark.django_db
def test_login_page_defaults_to_japanese(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login/")
    assert response.status_code == 200
    assert "サポートデスクにログイン" in response.text


def test_contact_page_speaks_politely_to_japanese_customers(client, inboxes) -> None:  # type: ignore[no-untyped-def]
    """Public pages speak the shop's language (ja) even to an English browser, until the
    visitor picks English with the language switch."""
    url = f"/contact/{inboxes['form'].slug}/"
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert japanese.status_code == 200
    for text in ("お問い合わせ", "メールアドレス", "お問い合わせの種類", "必須", "送信する"):
        assert text in japanese.text, text
    assert "ご記入ください" in japanese.text
    assert "Contact us" not in japanese.text

    switched = client.post("/language/", {"language": "en", "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    english = client.get(url)
    assert english.status_code == 200
    assert "Contact us" in english.text
    assert "Email address" in english.text
    assert "お問い合わせの種類" not in english.text
