"""Signing in and out (Django's auth views with our templates) and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from madoguchi.accounts.actions import do_set_language

from .base import agent_of, safe_next


class LoginView(auth_views.LoginView):
    """Django's login; afterwards the console speaks the agent's saved language."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        agent = agent_of(self.request)
        if agent is not None and agent.language in dict(settings.LANGUAGES):
            self.request.session["language"] = agent.language
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch ja/en for this session and, for an agent, remember it on their profile."""
    language = request.POST.get("language", "")
    target = safe_next(request, reverse("web:inbox"))
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(target)
    request.session["language"] = language
    translation.activate(language)
    agent = agent_of(request)
    if agent is not None:
        do_set_language(agent, language)
    return HttpResponseRedirect(target)
