"""The inbox: views, filters, saved views, bulk actions."""

from django.urls import path

from ..views import inbox, saved_views

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("bulk/", inbox.bulk, name="inbox_bulk"),
    path("views/save/", saved_views.save, name="saved_view_save"),
    path("settings/views/", saved_views.manage, name="saved_views"),
    path("settings/views/<int:view_id>/", saved_views.edit, name="saved_view_edit"),
    path("settings/views/<int:view_id>/move/", saved_views.move, name="saved_view_move"),
    path("settings/views/<int:view_id>/delete/", saved_views.delete, name="saved_view_delete"),
]
