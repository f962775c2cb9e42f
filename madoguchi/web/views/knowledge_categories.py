"""Help-center categories and sections of one brand: list, create, edit, delete (editors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.knowledge import actions
from madoguchi.knowledge.actions.access import readable_brands, require_editor
from madoguchi.knowledge.models import Category

from ..forms.knowledge import CategoryForm
from .base import console_view
from .knowledge import NAV, current_brand, ui_language
from .settings.common import form_error


def _parents(brand_id: int, exclude: int | None = None) -> list[tuple[int, str]]:
    language = ui_language()
    rows = Category.objects.filter(brand_id=brand_id, parent=None)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return [(c.pk, c.name(language)) for c in rows.order_by("position", "pk")]


def _list_page(
    request: HttpRequest, agent: Agent, brand: Brand, form: CategoryForm, status: int = 200
) -> HttpResponse:
    rows = list(
        Category.objects.filter(brand=brand)
        .annotate(article_count=Count("articles"))
        .order_by("position", "pk")
    )
    tree = []
    for top in (c for c in rows if c.parent_id is None):
        tree.append((top, [s for s in rows if s.parent_id == top.pk]))
    context = {
        "brand": brand,
        "brands": readable_brands(agent).order_by("name", "pk"),
        "tree": tree,
        "form": form,
        "language": ui_language(),
        "nav_active": NAV,
    }
    return render(request, "web/knowledge/categories.html", context, status=status)


def _values(form: CategoryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "names": form.names(),
        "slug": data["slug"],
        "parent_id": data["parent"],
        "position": data["position"] or 0,
    }


@console_view
def category_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require_editor(agent)
    brand = current_brand(request, agent)
    if request.method != "POST":
        form = CategoryForm(parent_choices=_parents(brand.pk), initial={"position": 0})
        return _list_page(request, agent, brand, form)
    form = CategoryForm(request.POST, parent_choices=_parents(brand.pk))
    if not form.is_valid():
        return _list_page(request, agent, brand, form, 422)
    try:
        category = actions.do_create_category(agent, brand_id=brand.pk, **_values(form))
    except DomainError as exc:
        return _list_page(request, agent, brand, form, form_error(form, exc))
    messages.success(
        request, _("Category “%(name)s” created.") % {"name": category.name(ui_language())}
    )
    return HttpResponseRedirect(reverse("web:kb_categories") + f"?brand={brand.pk}")


def _category(category_id: int) -> Category:
    category = Category.objects.select_related("brand").filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found."), code="category_not_found")
    return category


@console_view
def category_edit(request: HttpRequest, agent: Agent, category_id: int) -> HttpResponse:
    require_editor(agent)
    category = _category(category_id)
    parents = _parents(category.brand_id, exclude=category.pk)
    if request.method == "POST":
        form = CategoryForm(request.POST, parent_choices=parents)
        status = 422
        if form.is_valid():
            try:
                actions.do_update_category(agent, category.pk, **_values(form))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(
                    reverse("web:kb_categories") + f"?brand={category.brand_id}"
                )
    else:
        status = 200
        form = CategoryForm(
            parent_choices=parents,
            initial={
                "name_ja": category.names.get("ja", ""),
                "name_en": category.names.get("en", ""),
                "slug": category.slug,
                "parent": category.parent_id,
                "position": category.position,
            },
        )
    context = {"category": category, "form": form, "nav_active": NAV}
    return render(request, "web/knowledge/category_edit.html", context, status=status)


@require_POST
@console_view
def category_delete(request: HttpRequest, agent: Agent, category_id: int) -> HttpResponse:
    category = _category(category_id)
    actions.do_delete_category(agent, category.pk)
    messages.success(request, _("Category deleted."))
    return HttpResponseRedirect(reverse("web:kb_categories") + f"?brand={category.brand_id}")
