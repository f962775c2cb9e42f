"""Customer CSV import (upload → map columns → background run with progress) and export.

The run is a django-tasks task (customers.tasks.run_customer_import); the status page polls
a small fragment with htmx until the import is done, rejected or failed.
"""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.accounts.models import Agent
from madoguchi.accounts.permissions import Capability, require
from madoguchi.core.errors import DomainError, Forbidden
from madoguchi.customers.import_recovery import (
    STALE_MINUTES,
    do_restart_import,
    expire_if_stale,
    fail_stale_imports,
)
from madoguchi.customers.imports import (
    IMPORT_FIELDS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    do_confirm_import,
    do_export_customers,
    do_start_import,
    get_import,
    load_rows,
    report_lines,
)
from madoguchi.customers.models import CustomerImport, ImportStatus
from madoguchi.tickets.access import visible_customers

from ..forms.customers import ImportUploadForm
from .base import console_view

SAMPLE_ROWS = 3


def _upload_page(
    request: HttpRequest,
    agent: Agent,
    form: ImportUploadForm,
    *,
    error: object = None,
    status: int = 200,
) -> HttpResponse:
    mine = CustomerImport.objects.filter(created_by=agent)
    fail_stale_imports(mine)
    recent = mine.order_by("-id")[:10]
    return render(
        request,
        "web/customers/import.html",
        {
            "form": form,
            "error": error,
            "recent": recent,
            "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
            "max_rows": MAX_IMPORT_ROWS,
            "fields": IMPORT_FIELDS,
            "stale_minutes": STALE_MINUTES,
            "nav_active": "customers",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@console_view
def import_upload(request: HttpRequest, agent: Agent) -> HttpResponse:
    require(agent, Capability.WRITE)
    require(agent, Capability.VIEW_ALL)
    if request.method != "POST":
        return _upload_page(request, agent, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, agent, form, status=422)
    upload = form.cleaned_data["file"]
    try:
        job = do_start_import(agent, upload.name or "", upload.read())
    except Forbidden:
        raise
    except DomainError as exc:
        return _upload_page(request, agent, form, error=exc.message, status=exc.status)
    return HttpResponseRedirect(reverse("web:customer_import", args=[job.pk]))


def _mapping_page(
    request: HttpRequest,
    job: CustomerImport,
    mapping: dict[str, str],
    *,
    error: object = None,
    status: int = 200,
) -> HttpResponse:
    samples = load_rows(job)[:SAMPLE_ROWS]
    columns = [
        {
            "index": i,
            "header": header,
            "field": mapping.get(str(i), ""),
            "samples": [row[i] if i < len(row) else "" for row in samples],
        }
        for i, header in enumerate(job.headers)
    ]
    return render(
        request,
        "web/customers/import_mapping.html",
        {
            "job": job,
            "columns": columns,
            "fields": IMPORT_FIELDS,
            "error": error,
            "nav_active": "customers",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@console_view
def import_detail(request: HttpRequest, agent: Agent, import_id: int) -> HttpResponse:
    """The mapping step while the import waits for it, then its progress and outcome; a
    failed import can be started again from here (`restart`)."""
    job = expire_if_stale(get_import(agent, import_id))
    if request.method == "POST" and "restart" in request.POST:
        try:
            do_restart_import(agent, job)
        except Forbidden:
            raise
        except DomainError as exc:
            return _status_page(request, job, error=exc.message, status=exc.status)
        return HttpResponseRedirect(reverse("web:customer_import", args=[job.pk]))
    if request.method == "POST":
        mapping = {str(i): request.POST.get(f"col-{i}", "") for i in range(len(job.headers))}
        try:
            do_confirm_import(agent, job, mapping)
        except Forbidden:
            raise
        except DomainError as exc:
            return _mapping_page(request, job, mapping, error=exc.message, status=exc.status)
        return HttpResponseRedirect(reverse("web:customer_import", args=[job.pk]))
    if job.status == ImportStatus.MAPPING:
        return _mapping_page(request, job, job.mapping)
    return _status_page(request, job)


def _status_page(
    request: HttpRequest, job: CustomerImport, *, error: object = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/customers/import_status.html",
        {"job": job, "error": error, "nav_active": "customers"},
        status=status,
    )


@require_GET
@console_view
def import_progress(request: HttpRequest, agent: Agent, import_id: int) -> HttpResponse:
    """The fragment the status page polls; it stops polling once the import has finished
    (or is found stale: then it shows the failure and the restart button)."""
    job = expire_if_stale(get_import(agent, import_id))
    return render(request, "web/customers/_import_progress.html", {"job": job})


@require_GET
@console_view
def import_report(request: HttpRequest, agent: Agent, import_id: int) -> HttpResponseBase:
    job = get_import(agent, import_id)
    response = StreamingHttpResponse(report_lines(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-import-{job.pk}-errors.csv"'
    return response


@require_GET
@console_view
def export_csv(request: HttpRequest, agent: Agent) -> HttpResponseBase:
    """Every customer the agent can see, streamed (no whole file in memory)."""
    lines = do_export_customers(agent, visible_customers(agent))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response
