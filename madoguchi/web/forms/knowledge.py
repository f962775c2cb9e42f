"""Forms of the help-center editor. They parse input; madoguchi.knowledge.actions validates
again (limits, brand of the category and related articles) and decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.knowledge.actions import validation as limits
from madoguchi.knowledge.models import ArticleStatus

from .common import split_tags


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=limits.MAX_TITLE)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=limits.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16, "data-kb-body": "", "spellcheck": "false"}),
        help_text=_(
            "**bold**, - lists, 1. numbered lists, [link](https://…), "
            "![image description](https://…/picture.png)."
        ),
    )
    phrasings = forms.CharField(
        label=_("Other ways customers ask this"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, in the customers' own words (e.g. 注文を取り消したい)."),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, empty_value=None, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    internal = forms.BooleanField(
        label=_("Internal only (a manual for agents and outsourced staff)"), required=False
    )
    common_questions = forms.BooleanField(
        label=_("Also find it by common customer questions on its topic"),
        required=False,
        help_text=_(
            "Search matches the usual ways customers ask about this topic, even before the "
            "article has phrasings of its own."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas or spaces."),
    )
    related = forms.TypedMultipleChoiceField(
        label=_("Related articles"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )

    def __init__(
        self,
        *args: Any,
        category_choices: list[tuple[Any, Any]],
        related_choices: list[tuple[Any, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("(none)")), *category_choices]  # type: ignore[attr-defined]
        self.fields["related"].choices = related_choices  # type: ignore[attr-defined]

    def clean_phrasings(self) -> list[str]:
        lines = (self.cleaned_data.get("phrasings") or "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean_tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags") or "")


class CategoryForm(forms.Form):
    name_ja = forms.CharField(label=_("Name (Japanese)"), required=False, max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), required=False, max_length=120)
    slug = forms.CharField(
        label=_("Slug"),
        required=False,
        max_length=80,
        help_text=_("Used in the help center's URLs; made from the name when empty."),
    )
    parent = forms.TypedChoiceField(
        label=_("Inside category"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Choose a category to make this a section of it."),
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0)

    def __init__(self, *args: Any, parent_choices: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(top level)")), *parent_choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name_ja") or "").strip() and not (data.get("name_en") or "").strip():
            self.add_error("name_ja", _("Enter a name in at least one language."))
        return data

    def names(self) -> dict[str, str]:
        return {"ja": self.cleaned_data["name_ja"], "en": self.cleaned_data["name_en"]}
