from django.urls import URLPattern, URLResolver, include, path

from madoguchi.api.router import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    # Provider inbound-mail webhooks (django-anymail): /hooks/email/<provider>/inbound/
    path("hooks/email/", include("madoguchi.connectors.email.webhooks")),
    path("", include("madoguchi.web.urls")),
]
