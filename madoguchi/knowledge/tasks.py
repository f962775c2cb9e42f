"""Background tasks: thin wrappers around actions, safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_article_vectors(translation_id: int) -> str:
    """Embed one translation's title, phrasings and body (skipped when unchanged)."""
    from .vectors import refresh_vectors

    return refresh_vectors(translation_id)
