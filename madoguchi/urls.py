from django.urls import URLPattern, URLResolver, include, path

from madoguchi.api.router import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("", include("madoguchi.web.urls")),
]
