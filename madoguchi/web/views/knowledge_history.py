"""An article's history (an old version, restore) and the editor's live preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent
from madoguchi.core.errors import NotFound
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions import validation
from madoguchi.knowledge.actions.access import get_readable_article, require_editor
from madoguchi.knowledge.models import ArticleVersion
from madoguchi.knowledge.rendering import render_markdown

from .base import console_view
from .knowledge import NAV, article_url


def _version(agent: Agent, article_id: int, version_id: int) -> ArticleVersion:
    article = get_readable_article(agent, article_id)
    version = (
        ArticleVersion.objects.select_related("translation", "author")
        .filter(pk=version_id, translation__article=article)
        .first()
    )
    if version is None:
        raise NotFound(_("Version not found."), code="version_not_found")
    return version


@console_view
def version_detail(
    request: HttpRequest, agent: Agent, article_id: int, version_id: int
) -> HttpResponse:
    require_editor(agent)
    version = _version(agent, article_id, version_id)
    context = {
        "version": version,
        "article_id": article_id,
        "language": version.translation.language,
        "html": render_markdown(version.body),
        "is_current": (
            version.title == version.translation.title
            and version.body == version.translation.body
            and version.phrasings == version.translation.phrasings
        ),
        "nav_active": NAV,
    }
    return render(request, "web/knowledge/version.html", context)


@require_POST
@console_view
def version_restore(
    request: HttpRequest, agent: Agent, article_id: int, version_id: int
) -> HttpResponse:
    old = actions.do_restore_version(agent, article_id, version_id)
    messages.success(
        request, _("Version %(number)s restored as the current text.") % {"number": old.number}
    )
    language = ArticleVersion.objects.get(pk=old.pk).translation.language
    return HttpResponseRedirect(article_url(article_id, language))


@require_POST
@console_view
def preview(request: HttpRequest, agent: Agent) -> HttpResponse:
    """The Markdown body as the help center will show it; an htmx fragment."""
    require_editor(agent)
    body = request.POST.get("body", "")
    if len(body) > validation.MAX_BODY:
        return render(
            request,
            "web/knowledge/_preview.html",
            {"problem": _("The text is too long to preview.")},
            status=422,
        )
    return render(request, "web/knowledge/_preview.html", {"html": render_markdown(body)})
