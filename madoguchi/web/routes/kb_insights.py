"""Help-center insights: search analytics and the FAQ-gap report (issue 5, part 2)."""

from django.urls import path

from ..views import kb_insights

urlpatterns = [
    path("knowledge/analytics/", kb_insights.analytics, name="kb_analytics"),
    path("knowledge/gaps/", kb_insights.gaps, name="kb_gaps"),
]
