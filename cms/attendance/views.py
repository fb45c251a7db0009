"""A school's own attendance pages: the daily form, the file upload and its template, the e-journal API key."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token
from wagtail.log_actions import log

from cms.accounts.roles import has_capability
from cms.org.models import School
from cms.org.scope import get_visible_or_404, scope_of

from . import services, uploads
from .forms import ClassRowFormSet, DayForm, UploadForm
from .models import AttendanceSettings, ClassDay

PREFILL_LOOKBACK_DAYS = 30
FORM_FIELDS = {
    "enrolled",
    "present",
    "absent_illness",
    "absent_valid",
    "absent_unexcused",
    "mode",
    "remote",
    "in_shelter",
}


def own_school(request) -> School:
    """The school of a user who may submit attendance (403 for everyone else)."""
    if not has_capability(request.user, "submit_attendance"):
        raise PermissionDenied
    return get_visible_or_404(request.user, School, pk=scope_of(request.user).school_id)


def _chosen_date(request) -> dt.date:
    form = DayForm(request.POST if request.method == "POST" else request.GET)
    if form.is_valid():
        return form.cleaned_data["date"]
    return services.today()


def initial_rows(school: School, date: dt.date, classes) -> list[dict]:
    """Each class's row: what was saved for the day, else yesterday's enrolment with everyone present."""
    saved = {d.school_class_id: d for d in ClassDay.objects.filter(school=school, date=date)}
    earlier = {}
    since = date - dt.timedelta(days=PREFILL_LOOKBACK_DAYS)
    for class_id, enrolled in (
        ClassDay.objects.filter(school=school, date__range=(since, date - dt.timedelta(days=1)))
        .order_by("school_class_id", "-date")
        .values_list("school_class_id", "enrolled")
    ):
        earlier.setdefault(class_id, enrolled)
    rows = []
    for school_class in classes:
        day = saved.get(school_class.pk)
        if day is not None:
            rows.append(
                {
                    "class_name": school_class.name,
                    **{name: getattr(day, name) for name in FORM_FIELDS - {"remote", "in_shelter"}},
                    "remote": day.remote if day.mode == "mixed" else None,
                    "in_shelter": day.in_shelter if day.sheltered else None,
                }
            )
        else:
            enrolled = earlier.get(school_class.pk, school_class.enrolled)
            rows.append(
                {"class_name": school_class.name, "enrolled": enrolled, "present": enrolled, "mode": "in_person"}
            )
    return rows


def _attach(formset, problems) -> None:
    for problem in problems:
        if problem.row is None or problem.row >= len(formset.forms):
            formset._non_form_errors = [*formset.non_form_errors(), problem.message]
            continue
        field = problem.field if problem.field in FORM_FIELDS else None
        formset.forms[problem.row].add_error(field, problem.message)


def submit(request):
    school = own_school(request)
    date = _chosen_date(request)
    classes = sorted(services.active_classes(school).values(), key=lambda c: (c.grade, c.name))
    config = AttendanceSettings.load()
    if request.method == "POST":
        formset = ClassRowFormSet(request.POST)
        if formset.is_valid():
            try:
                submission = services.submit_attendance(
                    school=school,
                    date=date,
                    reports=[form.report() for form in formset.forms],
                    user=request.user,
                    source="form",
                )
            except services.AttendanceRefused as exc:
                _attach(formset, exc.problems)
            else:
                messages.success(
                    request,
                    _("Attendance for %(date)s is saved: %(count)d classes.")
                    % {
                        "date": date.strftime("%d.%m.%Y"),
                        "count": submission.created + submission.updated + submission.unchanged,
                    },
                )
                return redirect(f"{reverse('attendance:submit')}?date={date.isoformat()}")
    else:
        formset = ClassRowFormSet(initial=initial_rows(school, date, classes))
    date_problems = services.check_date(date, config)
    return render(
        request,
        "attendance/submit.html",
        {
            "school": school,
            "date": date,
            "day_form": DayForm(initial={"date": date}),
            "formset": formset,
            "date_problems": date_problems,
            "submitted": ClassDay.objects.filter(school=school, date=date).exists(),
        },
    )


def upload(request):
    school = own_school(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = uploads.import_file(school=school, uploaded_file=form.cleaned_data["file"], user=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
        except uploads.UnreadableFile as exc:
            form.add_error("file", str(exc))
    return render(
        request,
        "attendance/upload.html",
        {"school": school, "form": form, "result": result, "columns": uploads.COLUMNS},
    )


def upload_template(request):
    own_school(request)
    response = HttpResponse(
        uploads.template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="attendance-template.xlsx"'
    return response


def api_key(request):
    school = own_school(request)
    return render(
        request,
        "attendance/api_key.html",
        {"school": school, "has_key": Token.objects.filter(user=request.user).exists(), "new_key": None},
    )


@require_POST
def api_key_rotate(request):
    """Issue a new key for the user's e-journal (the old one stops working); it is shown once."""
    school = own_school(request)
    with transaction.atomic():
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        log(instance=request.user, action="attendance.api_key", user=request.user)
    return render(request, "attendance/api_key.html", {"school": school, "has_key": True, "new_key": token.key})
