from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from madoguchi.api.router import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("", include("madoguchi.web.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
