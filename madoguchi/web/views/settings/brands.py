"""Brands (shops): list, create, edit slug / support email / default language, delete unused."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts.models import Agent, Brand
from madoguchi.accounts.org_admin import do_create_brand, do_delete_brand, do_update_brand
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, NotFound

from ...forms.settings import BrandForm
from ..base import console_view
from .common import form_error

NAV = "settings_brands"


@console_view
def brand_list(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    status = 200
    if request.method == "POST":
        form = BrandForm(request.POST)
        if form.is_valid():
            try:
                brand = do_create_brand(agent, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Brand “%(name)s” created.") % {"name": brand.name})
                return HttpResponseRedirect(reverse("web:settings_brands"))
        else:
            status = 422
    else:
        form = BrandForm(initial={"default_language": "ja"})
    brands = Brand.objects.annotate(inbox_count=Count("inboxes")).order_by("name")
    return render(
        request,
        "web/settings/brands.html",
        {"brands": brands, "form": form, "nav_active": NAV},
        status=status,
    )


@console_view
def brand_edit(request: HttpRequest, agent: Agent, brand_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is None:
        raise NotFound(_("Brand not found."), code="not_found")
    status = 200
    if request.method == "POST":
        form = BrandForm(request.POST)
        if form.is_valid():
            try:
                do_update_brand(agent, brand.pk, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("web:settings_brands"))
        else:
            status = 422
    else:
        form = BrandForm(
            initial={
                "name": brand.name,
                "slug": brand.slug,
                "support_email": brand.support_email,
                "default_language": brand.default_language,
            }
        )
    return render(
        request,
        "web/settings/brand_edit.html",
        {"brand": brand, "form": form, "nav_active": NAV},
        status=status,
    )


@require_POST
@console_view
def brand_delete(request: HttpRequest, agent: Agent, brand_id: int) -> HttpResponse:
    require(agent, Capability.MANAGE_SETTINGS)
    do_delete_brand(agent, brand_id)
    messages.success(request, _("Brand deleted."))
    return HttpResponseRedirect(reverse("web:settings_brands"))
