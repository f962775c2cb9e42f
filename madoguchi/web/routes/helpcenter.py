"""The public help center: /help/<brand>/… in the brand's language, /help/<brand>/<lang>/…
in the other one."""

from collections.abc import Callable

from django.http.response import HttpResponseBase
from django.urls import path, register_converter

from ..views import helpcenter


class LanguageConverter:
    regex = "ja|en"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "helplang")

_PAGES: list[tuple[str, Callable[..., HttpResponseBase], str]] = [
    ("", helpcenter.home, "home"),
    ("c/<slug:slug>/", helpcenter.category, "category"),
    ("a/<int:article_id>/", helpcenter.article, "article"),
    ("a/<int:article_id>/feedback/", helpcenter.feedback, "feedback"),
    ("search/", helpcenter.search, "search"),
]

urlpatterns = [
    path("help/<slug:brand_slug>/sitemap.xml", helpcenter.sitemap, name="help_sitemap"),
    path("help/<slug:brand_slug>/widget.js", helpcenter.widget, name="help_widget"),
    *[path(f"help/<slug:brand_slug>/{p}", view, name=f"help_{n}") for p, view, n in _PAGES],
    *[
        path(f"help/<slug:brand_slug>/<helplang:lang>/{p}", view, name=f"help_{n}_lang")
        for p, view, n in _PAGES
    ],
]
