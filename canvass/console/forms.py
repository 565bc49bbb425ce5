"""Input forms of the canvass console pages (the services check the rules)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from canvass.models import ReviewAction


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Voter file (CSV)"))
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]


class BoundaryField(forms.CharField):
    """A GeoJSON geometry as text (what the map's drawing tool writes); the turf service checks
    its shape."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Not valid GeoJSON.")) from None


class TurfDrawForm(forms.Form):
    name = forms.CharField(label=_("Turf name"), max_length=120)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    boundary = BoundaryField(
        label=_("Boundary (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Filled in when you draw a polygon on the map; you may also paste one."),
    )

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]


class AutoCutForm(forms.Form):
    precinct = forms.TypedChoiceField(label=_("Precinct"), coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    min_doors = forms.IntegerField(label=_("Fewest doors per turf"), min_value=1, initial=40)
    max_doors = forms.IntegerField(label=_("Most doors per turf"), min_value=1, initial=60)
    name_prefix = forms.CharField(label=_("Name prefix"), max_length=80, required=False)

    def __init__(
        self,
        *args: Any,
        teams: list[tuple[int, str]],
        precincts: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = teams  # type: ignore[attr-defined]
        self.fields["precinct"].choices = precincts  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    canvasser = forms.TypedChoiceField(label=_("Canvasser"), coerce=int)

    def __init__(self, *args: Any, canvassers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canvasser"].choices = canvassers  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=ReviewAction.choices)
    # Checked by the review service (required to exclude); blank is "no reason given".
    reason = forms.CharField(required=False, max_length=16)


REVIEW_REASONS = [
    ("duplicate", _("Duplicate of another conversation")),
    ("wrong_door", _("Logged at the wrong door")),
    ("not_credible", _("Not credible")),
    ("test_entry", _("Test or training entry")),
    ("other", _("Other")),
]

INCIDENT_KINDS = [
    ("immigration_enforcement", _("Immigration enforcement activity")),
    ("police", _("Police activity")),
    ("hostile_person", _("Hostile person")),
    ("weather", _("Severe weather")),
    ("other", _("Other danger")),
]


class IncidentForm(forms.Form):
    """The declaration's fields; the incident service checks the area and the instruction."""

    kind = forms.ChoiceField(label=_("Kind"), choices=INCIDENT_KINDS)
    instruction = forms.CharField(
        label=_("Instruction to canvassers"),
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 160}),
        help_text=_("What to do, at most 160 characters: “Stop knocking, meet at the van.”"),
    )
    polygon = BoundaryField(
        label=_("Area drawn on the map (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
