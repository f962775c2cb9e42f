"""The common-questions bank: its data, how articles borrow its phrasings (keyword path, no
model), the opt-out, and the vector cache (a deterministic stand-in embedder)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from madoguchi.knowledge.engine import common_questions as cq
from madoguchi.knowledge.engine.index import ArticleIndex, Doc
from madoguchi.knowledge.engine.synonyms import compile_groups
from madoguchi.knowledge.engine.text import analyse

FAQ = [
    ("cancel", "ご注文のキャンセル方法", "発送前であればマイページからキャンセルできます。"),
    ("tracking", "配送状況の確認方法", "発送完了メールの追跡番号から確認できます。"),
    ("returns", "返品について", "商品到着後7日以内の未使用品は返品を承ります。"),
    ("points", "ポイントの有効期限", "最後のご購入から1年間有効です。"),
    ("login", "ログインできない場合", "パスワードを再設定してください。"),
]


def docs(common: bool = True) -> list[Doc]:
    return [
        Doc(n + 1, n + 1, ext, "ja", title, [], body, common=common)
        for n, (ext, title, body) in enumerate(FAQ)
    ]


def words(text: str) -> set[str]:
    return {f for f in analyse(text, compile_groups()) if f.startswith(("w:", "s:"))}


def test_the_bank_is_well_formed() -> None:
    intents = cq.intents()
    assert len(intents) >= 80
    assert len({i.id for i in intents}) == len(intents)
    seen: set[str] = set()
    for intent in intents:
        assert intent.title.strip() and intent.description.strip()
        assert intent.title_en.isascii() and intent.title_en.strip(), intent.id
        assert intent.description_en.isascii() and intent.description_en.strip(), intent.id
        assert len(intent.phrasings) >= 15, intent.id
        assert all(1 <= len(p) <= 80 for p in intent.phrasings), intent.id
        assert not seen & set(intent.phrasings), intent.id  # no phrasing in two intents
        seen |= set(intent.phrasings)
        assert any(p.isascii() for p in intent.phrasings), intent.id  # some English too
    raw = cq.BANK_FILE.read_text(encoding="utf-8").splitlines()
    keys = {"id", "title", "description", "title_en", "description_en", "phrasings"}
    assert all(set(json.loads(line)) == keys for line in raw)


def test_each_article_borrows_the_intent_its_title_names_without_a_model() -> None:
    synonyms = compile_groups()
    borrowed = cq.bank().borrow(docs(), synonyms)
    taken = {FAQ[n][0]: borrowed.intent(n) for n in range(len(FAQ))}
    assert all(taken.values())
    assert len({i.id for i in taken.values() if i}) == len(FAQ)  # five different topics
    assert taken["cancel"] and "cancel" in taken["cancel"].id
    assert taken["login"] and "login" in taken["login"].id


def test_a_question_sharing_no_word_with_the_article_finds_it_through_the_bank() -> None:
    synonyms = compile_groups()
    index = ArticleIndex(docs(), synonyms, cq.bank().borrow(docs(), synonyms))
    for n, (ext, title, body) in enumerate(FAQ):
        intent = index.borrowed.intent(n) if index.borrowed else None
        assert intent is not None
        own = words(title + "\n" + body)
        # a customer phrasing of that topic with none of the article's words
        question = next(p for p in intent.phrasings if words(p) and not words(p) & own)
        hits, degraded = index.search(question, None, limit=3)
        assert degraded and hits[0].external_id == ext, (question, [h.external_id for h in hits])
        assert hits[0].matched == "common"
        # opted out, the same question no longer finds the article by the bank
        plain = ArticleIndex(docs(False), synonyms, cq.bank().borrow(docs(False), synonyms))
        again, _ = plain.search(question, None, limit=3)
        assert all(h.matched != "common" for h in again)


def test_index_without_a_bank_is_unchanged() -> None:
    synonyms = compile_groups()
    index = ArticleIndex(docs(), synonyms)
    hits, _ = index.search("キャンセルしたい", None)
    assert hits[0].external_id == "cancel" and hits[0].matched != "common"
    assert index.common_intent(1) is None


class CountingEmbedder:
    """Deterministic unit vectors from a hash of the text; counts its calls."""

    name = "test/hash-embedder"

    def __init__(self) -> None:
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()

    def available(self) -> bool:
        return True

    def query(self, text: str) -> np.ndarray:
        return self._one(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.gate.wait(10)
        self.calls += 1
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, 8))

    @staticmethod
    def _one(text: str) -> np.ndarray:
        rng = np.random.default_rng(abs(hash(text)) % 2**32)
        v = rng.standard_normal(8).astype(np.float32)
        return v / np.linalg.norm(v)


def test_vectors_are_cached_on_disk_for_the_next_process(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    embedder = CountingEmbedder()
    first = cq.CommonQuestions(cq.intents())
    vectors = first.vectors(embedder, wait=True)
    assert vectors is not None and embedder.calls == 2  # intents, then phrasings
    assert vectors.intents.shape == (2 * len(cq.intents()), 8)  # in Japanese and English
    assert vectors.phrasings.shape == (sum(len(i.phrasings) for i in cq.intents()), 8)
    assert list((tmp_path / "cache").glob("common-questions-*.npz"))
    second = cq.CommonQuestions(cq.intents())
    again = second.vectors(embedder, wait=True)
    assert embedder.calls == 2 and again is not None  # read from disk, not embedded
    assert np.array_equal(again.phrasings, vectors.phrasings) and second.ready(embedder.name)
    # another version of the bank does not read these
    smaller = cq.CommonQuestions(cq.intents()[:3])
    assert smaller.version != first.version
    assert smaller.vectors(embedder, wait=True) is not None and embedder.calls == 4


def test_without_waiting_they_are_computed_in_the_background(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    embedder = CountingEmbedder()
    embedder.gate.clear()
    bank = cq.CommonQuestions(cq.intents()[:5])
    assert bank.vectors(embedder, wait=False) is None  # search goes on by keywords
    assert bank.vectors(embedder, wait=False) is None and not bank.ready(embedder.name)
    embedder.gate.set()
    for _ in range(200):
        if bank.ready(embedder.name):
            break
        threading.Event().wait(0.05)
    assert bank.ready(embedder.name) and embedder.calls == 2  # one thread, not two


def test_a_borrowed_phrasing_counts_by_meaning_less_than_the_articles_own_rows() -> None:
    synonyms = compile_groups()
    embedder = CountingEmbedder()
    bank = cq.bank()
    phrasing_vectors = embedder.passages([p for i in bank.intents for p in i.phrasings])
    own = [d for d in docs()]
    for doc in own:
        doc.vectors = embedder.passages([doc.title])
        doc.question_rows = 1
    borrowed = bank.borrow(own, synonyms, None, phrasing_vectors)
    index = ArticleIndex(own, synonyms, borrowed)
    intent = borrowed.intent(0)
    assert intent is not None
    qvec = embedder.query(intent.phrasings[0])  # identical to that borrowed phrasing's vector
    sims = index.semantic(qvec)
    assert sims[0] == pytest.approx(1.0 - index_penalty(), abs=1e-4)
    # vectors of another bank version are ignored rather than misread
    stale = bank.borrow(own, synonyms, None, phrasing_vectors[:-1])
    assert stale.vectors is None


def index_penalty() -> float:
    from madoguchi.knowledge.engine.fusion import WEIGHTS

    return WEIGHTS.common_penalty


@pytest.fixture
def hashed(settings, tmp_path) -> tuple[cq.CommonQuestions, np.ndarray, CountingEmbedder]:
    """The real bank with stand-in vectors: (bank, its intent rows, the embedder)."""
    settings.DATA_DIR = tmp_path
    embedder = CountingEmbedder()
    bank = cq.CommonQuestions(cq.intents())
    vectors = bank.vectors(embedder, wait=True)
    assert vectors is not None
    return bank, vectors.intents, embedder


def intent(bank: cq.CommonQuestions, intent_id: str) -> cq.Intent:
    return next(i for i in bank.intents if i.id == intent_id)


def test_an_english_article_maps_to_the_intent_by_its_english_text(hashed) -> None:
    bank, rows, embedder = hashed
    target = intent(bank, "order.overseas")
    english = Doc(1, 1, "intl", "en", target.title_en, [], target.description_en)
    english.vectors = embedder.passages([target.texts()[1]])
    japanese = Doc(2, 2, "kaigai", "ja", target.title, [], target.description)
    japanese.vectors = embedder.passages([target.texts()[0]])
    borrowed = bank.borrow([english, japanese], compile_groups(), rows)
    assert borrowed.intent(0) == target and borrowed.intent(1) == target


def test_every_translation_of_an_article_takes_the_same_intent(hashed) -> None:
    bank, rows, embedder = hashed
    cancel, fee = intent(bank, "order.cancel"), intent(bank, "delivery.fee")
    japanese = Doc(1, 7, "cancel", "ja", cancel.title, [], cancel.description)
    japanese.vectors = embedder.passages([cancel.texts()[0]] * 3)  # title, phrasing, body
    english = Doc(2, 7, "cancel", "en", fee.title_en, [], fee.description_en)
    english.vectors = embedder.passages([fee.texts()[1]])
    alone = Doc(3, 8, "fees", "en", fee.title_en, [], fee.description_en)
    alone.vectors = embedder.passages([fee.texts()[1]])
    no_vectors_yet = Doc(4, 7, "cancel", "zh", "取消订单", [], "")
    borrowed = bank.borrow([japanese, english, alone, no_vectors_yet], compile_groups(), rows)
    # by all the article's rows together: its English translation follows the Japanese one
    assert [borrowed.intent(n) for n in range(4)] == [cancel, cancel, fee, cancel]
