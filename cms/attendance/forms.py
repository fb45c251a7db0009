from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LearningMode
from .services import ClassReport


class DayForm(forms.Form):
    # A date input's value is always ISO (yyyy-mm-dd), whatever the language: the Ukrainian format would leave
    # the picker empty.
    date = forms.DateField(label=_("School day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ClassRowForm(forms.Form):
    """One class's row of the daily form; the numbers are checked whole by the submission service."""

    class_name = forms.CharField(widget=forms.HiddenInput)
    enrolled = forms.IntegerField(label=_("Enrolled"), min_value=0)
    present = forms.IntegerField(label=_("Present"), min_value=0)
    absent_illness = forms.IntegerField(label=_("Ill"), min_value=0, initial=0)
    absent_valid = forms.IntegerField(label=_("Other valid reason"), min_value=0, initial=0)
    absent_unexcused = forms.IntegerField(label=_("No reason"), min_value=0, initial=0)
    mode = forms.ChoiceField(label=_("Learning mode"), choices=LearningMode.choices, initial=LearningMode.IN_PERSON)
    remote = forms.IntegerField(label=_("Remotely (mixed class)"), min_value=0, required=False)
    in_shelter = forms.IntegerField(label=_("In the shelter"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.update({"inputmode": "numeric", "min": "0", "class": "number"})

    def report(self) -> ClassReport:
        data = self.cleaned_data
        return ClassReport(
            class_name=data["class_name"],
            enrolled=data["enrolled"],
            present=data["present"],
            absent_illness=data["absent_illness"] or 0,
            absent_valid=data["absent_valid"] or 0,
            absent_unexcused=data["absent_unexcused"] or 0,
            mode=data["mode"],
            remote=data["remote"],
            in_shelter=data["in_shelter"],
        )


ClassRowFormSet = forms.formset_factory(ClassRowForm, extra=0, max_num=200, absolute_max=200)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
