"""The help center: categories, articles in several languages, their phrasings and history.

An article is one answer; each language is an ArticleTranslation with its own title, Markdown
body and 言い換え (other ways customers ask the same thing). Search matches translations;
ArticleVector holds their embeddings, computed in the background when the text changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.Model):
    """A category, or a section inside one (parent set): the help center's two levels."""

    brand = models.ForeignKey("accounts.Brand", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="sections"
    )
    slug = models.SlugField(max_length=80)
    names = models.JSONField(default=dict)  # {"ja": "配送について", "en": "Shipping"}
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["brand_id", "position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="kb_category_brand_slug_uniq")
        ]

    def __str__(self) -> str:
        return self.slug

    def name(self, language: str) -> str:
        return str(
            self.names.get(language)
            or self.names.get("ja")
            or next(iter(self.names.values()), self.slug)
        )


class Article(models.Model):
    brand = models.ForeignKey("accounts.Brand", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # The id in the system the FAQ came from; `madoguchi kb import` upserts by it.
    external_id = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    internal = models.BooleanField(
        _("internal only"), default=False, help_text=_("a manual for agents, never public")
    )
    # Search also matches the phrasings of the closest common customer question
    # (knowledge/engine/common_questions.py); an editor can switch that off per article.
    common_questions = models.BooleanField(
        _("match common customer questions"),
        default=True,
        help_text=_("also find this article by the common ways customers ask about its topic"),
    )
    tags = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand_id", "position", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "external_id"],
                condition=~models.Q(external_id=""),
                name="kb_article_external_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.external_id or f"article {self.pk}"


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)  # Markdown
    phrasings = models.JSONField(default=list, blank=True)  # 言い換え
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_translation_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.title}"


class ArticleVersion(models.Model):
    """A saved state of one translation, written on every change: the version history."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    phrasings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["translation_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="kb_version_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.translation_id} v{self.number}"


class ArticleVector(models.Model):
    """Embeddings of one translation (title, each phrasing, body passages) for the semantic
    half of search; `text_hash` says which text they were computed from."""

    translation = models.OneToOneField(
        ArticleTranslation, on_delete=models.CASCADE, related_name="vector"
    )
    model = models.CharField(max_length=60)
    text_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    data = models.BinaryField()  # float32, rows × dim, L2-normalised
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"vectors of {self.translation_id} ({self.rows})"


class Synonym(models.Model):
    """Words customers use for the same thing (取り消し = キャンセル); brand-wide or global."""

    brand = models.ForeignKey(
        "accounts.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    terms = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return " = ".join(self.terms)


class ArticleFeedback(models.Model):
    """「この記事は役に立ちましたか？」: one answer from a reader, optionally with a comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=8)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    client = models.CharField(max_length=64, blank=True)  # hashed address, for rate limits
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class SearchSource(models.TextChoices):
    HELP_CENTER = "help_center", _("Help center")
    WIDGET = "widget", _("Widget on the shop's site")
    API = "api", _("Search API")
    CONTACT_FORM = "contact_form", _("Contact form")
    AGENT = "agent", _("Agent's reply box")


class SearchLog(models.Model):
    """One search intent: what a reader looked for, what we showed, what they opened.

    As-you-type keystrokes of one search box share a `session` key and update one row
    (the last text wins), so the analytics count questions, not keystrokes.
    """

    brand = models.ForeignKey(
        "accounts.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=16, choices=SearchSource.choices)
    language = models.CharField(max_length=8, blank=True)
    query = models.CharField(max_length=500)
    normalized = models.CharField(max_length=500, db_index=True)  # NFKC, lower, spaces folded
    session = models.CharField(max_length=40, blank=True)
    client = models.CharField(max_length=64, blank=True)  # hashed address
    result_count = models.PositiveIntegerField(default=0)
    shown = models.JSONField(default=list, blank=True)  # article ids, best first
    # The first result likely answers (knowledge.confidence): "found something" is not
    # "found the answer", since intent search always ranks some article first.
    answered = models.BooleanField(default=False)
    clicked_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clicked_at = models.DateTimeField(null=True, blank=True)
    degraded = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["brand", "created_at"]),
            models.Index(fields=["session", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.query}"


class ContactDeflection(models.Model):
    """A contact-form visit that showed articles while the customer wrote.

    Deflected = an article was opened and no ticket came from this visit within the
    deflection window; submitted visits record the ticket and what it was shown.
    """

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey("accounts.Brand", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)  # the form's token
    shown = models.JSONField(default=list, blank=True)  # article ids ever suggested, first first
    clicked = models.JSONField(default=list, blank=True)  # article ids opened
    last_query = models.CharField(max_length=500, blank=True)
    first_clicked_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_deflection",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["brand", "created_at"])]

    def __str__(self) -> str:
        return f"deflection {self.token[:8]}"


class ArticleUseKind(models.TextChoices):
    LINK = "link", _("Link")
    TEXT = "text", _("Text")


class ArticleUse(models.Model):
    """An agent answered a ticket with an article: feeds analytics and the learning loop."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=ArticleUseKind.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "message"], name="knowledge_articleuse_once_per_message"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} in ticket {self.ticket_id}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PhrasingProposal(models.Model):
    """A customer's question proposed as a new 言い換え of the article that answered it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="proposals")
    language = models.CharField(max_length=8)
    text = models.CharField(max_length=300)  # the customer's question, cleaned
    normalized = models.CharField(max_length=300)
    approved_text = models.CharField(max_length=300, blank=True)  # as the lead worded it
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "normalized"],
                name="knowledge_proposal_once_per_text",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.text}"
