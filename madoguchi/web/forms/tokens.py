"""Forms of the agent console. They parse and validate input; actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=120)
