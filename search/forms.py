from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cms.library.models import LegalStatus
from cms.org.models import District
from cms.org.scope import visible

from .services import KIND_CHOICES, SearchFilters

ORDER_CHOICES = [("relevance", _("by relevance")), ("date", _("newest first"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("any")), *KIND_CHOICES], required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1991, max_value=2100, required=False)
    issuer = forms.CharField(label=_("Issuing body"), max_length=255, required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("any")), *LegalStatus.choices], required=False)
    order = forms.ChoiceField(label=_("Sort"), choices=ORDER_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = visible(user, District)
        box = self.fields["q"].widget
        box.input_type = "search"
        box.attrs.update({"autocomplete": "off", "data-autocomplete": reverse("search:autocomplete")})

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            kind=data.get("kind") or "",
            year=data.get("year"),
            issuer=(data.get("issuer") or "").strip(),
            district_id=data["district"].pk if data.get("district") else None,
            status=data.get("status") or "",
        )
