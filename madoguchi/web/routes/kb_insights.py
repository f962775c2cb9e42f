"""Routes of kb insights (issue 5, part 2)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
