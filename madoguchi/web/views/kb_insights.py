"""Help-center insights in the console: search analytics and the 「FAQの不足」 report.

Both are for the people who write the articles (leads and admins, the editor rule of
madoguchi.knowledge.actions.access); both are reads of one brand over one period.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import Agent
from madoguchi.knowledge.actions.access import readable_brands, require_editor
from madoguchi.knowledge.analytics import PERIODS, brand_analytics, clean_period
from madoguchi.knowledge.gaps import gap_report

from .base import console_view
from .knowledge import NAV, current_brand, ui_language


def _common(request: HttpRequest, agent: Agent) -> dict[str, Any]:
    require_editor(agent)
    brand = current_brand(request, agent)
    return {
        "brand": brand,
        "brands": readable_brands(agent).order_by("name", "pk"),
        "days": clean_period(request.GET.get("days")),
        "periods": PERIODS,
        "nav_active": request.resolver_match.url_name if request.resolver_match else NAV,
    }


@require_GET
@console_view
def analytics(request: HttpRequest, agent: Agent) -> HttpResponse:
    context = _common(request, agent)
    data = brand_analytics(context["brand"].pk, context["days"], language=ui_language())
    context.update(
        data=data,
        max_query=max((r.count for r in data.top_queries), default=0),
        max_no_result=max((r.count for r in data.no_result), default=0),
        max_no_click=max((r.count for r in data.no_click), default=0),
        max_opened=max((r.count for r in data.opened), default=0),
        max_use=max((r.count for r in data.agent_use), default=0),
    )
    return render(request, "web/knowledge/analytics.html", context)


@require_GET
@console_view
def gaps(request: HttpRequest, agent: Agent) -> HttpResponse:
    context = _common(request, agent)
    report = gap_report(context["brand"].pk, context["days"])
    context.update(
        report=report,
        max_topic=max((t.size for t in report.topics), default=0),
    )
    return render(request, "web/knowledge/gaps.html", context)
