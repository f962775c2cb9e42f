"""The customer directory and profile."""

from django.urls import path

from ..views import customers

urlpatterns = [
    path("customers/", customers.customer_list, name="customers"),
    path("customers/pick/", customers.customer_picker, name="customer_picker"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/merge/", customers.customer_merge, name="customer_merge"),
]
