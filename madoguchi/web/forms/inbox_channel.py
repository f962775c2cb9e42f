"""The inbox form with every channel input type: selects with fixed choices and on/off toggles
besides the text inputs of `InboxForm` (the actions check the same choices again)."""

from __future__ import annotations

from django import forms

from madoguchi.inboxes.channel_fields import ChannelField

from .settings import InboxForm


class ChannelInboxForm(InboxForm):
    """`InboxForm` whose channel fields follow `ChannelField.input` for every kind."""

    @staticmethod
    def _channel_field(field: ChannelField, stored: bool) -> forms.Field:
        if field.input == "select":
            return forms.ChoiceField(
                label=field.label,
                required=False,
                choices=[(value, label) for value, label in field.choices],
                initial=field.default,
                help_text=field.help,
            )
        if field.input == "toggle":
            return forms.BooleanField(label=field.label, required=False, help_text=field.help)
        made = InboxForm._channel_field(field, stored)
        attrs = made.widget.attrs
        if field.input == "port":
            attrs.update({"inputmode": "numeric", "pattern": "[0-9]{1,5}", "size": 6})
        elif field.input == "host":
            attrs.update({"spellcheck": "false", "autocapitalize": "none"})
        attrs["data-channel-field"] = field.key
        return made

    def channel_values(self) -> dict[str, str]:
        values = {}
        for f in self.spec.fields:
            value = self.cleaned_data.get(f.key)
            if f.input == "toggle":
                values[f.key] = "on" if value else ""
            else:
                values[f.key] = value or ""
        return values
