"""One row per searchable object; the backends index its Sudachi token string."""

from __future__ import annotations

from django.db import models


class DocumentKind(models.IntegerChoices):
    TICKET = 1
    CUSTOMER = 2
    ARTICLE = 3


class SearchDocument(models.Model):
    kind = models.PositiveSmallIntegerField(choices=DocumentKind.choices)
    object_id = models.BigIntegerField()
    tokens = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdoc_kind_object_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
