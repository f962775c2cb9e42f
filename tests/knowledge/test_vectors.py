"""Article vectors: computed from title, phrasings and body passages; recomputed only when
that text changes; the background task runs the same function."""

from __future__ import annotations

import numpy as np
import pytest

from madoguchi.accounts.models import Brand
from madoguchi.knowledge import tasks
from madoguchi.knowledge.engine.embedder import UnavailableEmbedder, get_embedder
from madoguchi.knowledge.models import Article, ArticleTranslation, ArticleVector
from madoguchi.knowledge.vectors import embedding_texts, refresh_vectors


@pytest.fixture
def translation(brand: Brand) -> ArticleTranslation:
    article = Article.objects.create(brand=brand, external_id="a1", status="published")
    return ArticleTranslation.objects.create(
        article=article,
        language="ja",
        title="返品について",
        body="**未使用品**に限り、到着後7日以内に返品できます。\n\n送料はお客様負担です。",
        phrasings=["返品したい", "  "],
    )


def test_rows_are_title_phrasings_and_body_passages(translation: ArticleTranslation) -> None:
    texts = embedding_texts(translation.title, translation.phrasings, translation.body)
    assert texts[:2] == ["返品について", "返品したい"]
    assert "未使用品に限り" in texts[2] and "**" not in texts[2]


def test_vectors_are_stored_normalised_and_skipped_when_unchanged(
    translation: ArticleTranslation,
) -> None:
    assert refresh_vectors(translation.pk) == "updated"
    vector = ArticleVector.objects.get(translation=translation)
    matrix = np.frombuffer(bytes(vector.data), dtype=np.float32).reshape(vector.rows, -1)
    assert vector.rows == 3 and vector.model == get_embedder().name
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3)
    stamp = vector.updated_at

    assert refresh_vectors(translation.pk) == "unchanged"
    translation.article.status = "draft"  # not part of the text
    translation.article.save()
    assert refresh_vectors(translation.pk) == "unchanged"
    assert ArticleVector.objects.get(translation=translation).updated_at == stamp

    translation.phrasings = ["返品したい", "返したい"]
    translation.save()
    assert refresh_vectors(translation.pk) == "updated"
    assert ArticleVector.objects.get(translation=translation).rows == 4
    assert ArticleVector.objects.count() == 1


def test_without_a_model_nothing_is_written(translation: ArticleTranslation) -> None:
    assert refresh_vectors(translation.pk, embedder=UnavailableEmbedder()) == "unavailable"
    assert not ArticleVector.objects.exists()


def test_a_deleted_translation_is_reported_missing(translation: ArticleTranslation) -> None:
    pk = translation.pk
    translation.delete()
    assert refresh_vectors(pk) == "missing"


def test_the_task_wraps_refresh_vectors(translation: ArticleTranslation) -> None:
    assert tasks.refresh_article_vectors.call(translation.pk) == "updated"
    assert tasks.refresh_article_vectors.call(translation.pk) == "unchanged"
