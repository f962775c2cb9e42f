"""The agent's notifications: list, open (marks read), mark all read, email preference."""

from django.urls import path

from ..views import notifications

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/count/", notifications.count, name="notifications_count"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    path("notifications/email/", notifications.email_preference, name="notifications_email"),
]
