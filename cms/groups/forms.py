from django import forms
from django.utils.translation import gettext_lazy as _

from cms.accounts.models import User
from cms.org.models import School
from cms.org.scope import visible

from .models import Community


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["name", "description"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Community.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A community with this name already exists."))
        return name


class AddMembersForm(forms.Form):
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=School.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    users = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=User.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = visible(user, School).working().order_by("short_name")
        self.fields["users"].queryset = (
            visible(user, User).filter(is_active=True, is_unit_account=False).order_by("last_name", "first_name")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("schools") and not cleaned.get("users"):
            raise forms.ValidationError(_("Choose at least one school or person."))
        return cleaned
