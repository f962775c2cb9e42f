"""The customer directory and profile, CSV import/export."""

from django.urls import path

from ..views import customer_imports, customer_merge, customer_profile, customers

urlpatterns = [
    path("customers/", customers.customer_list, name="customers"),
    path("customers/pick/", customers.customer_picker, name="customer_picker"),
    path("customers/export.csv", customer_imports.export_csv, name="customer_export"),
    path("customers/import/", customer_imports.import_upload, name="customer_import_upload"),
    path(
        "customers/import/<int:import_id>/",
        customer_imports.import_detail,
        name="customer_import",
    ),
    path(
        "customers/import/<int:import_id>/progress/",
        customer_imports.import_progress,
        name="customer_import_progress",
    ),
    path(
        "customers/import/<int:import_id>/report.csv",
        customer_imports.import_report,
        name="customer_import_report",
    ),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path(
        "customers/<int:customer_id>/merge/", customer_merge.customer_merge, name="customer_merge"
    ),
    path(
        "customers/<int:customer_id>/tickets/",
        customer_profile.customer_tickets,
        name="customer_tickets",
    ),
    path(
        "customers/<int:customer_id>/profile/",
        customer_profile.profile_section,
        name="customer_profile",
    ),
    path(
        "customers/<int:customer_id>/profile/edit/",
        customer_profile.profile_form,
        name="customer_profile_form",
    ),
    path(
        "customers/<int:customer_id>/identities/",
        customer_profile.identity_add,
        name="customer_identity_add",
    ),
    path(
        "customers/<int:customer_id>/identities/<int:identity_id>/remove/",
        customer_profile.identity_remove,
        name="customer_identity_remove",
    ),
    path(
        "customers/<int:customer_id>/fields/",
        customer_profile.custom_fields_save,
        name="customer_fields",
    ),
]
