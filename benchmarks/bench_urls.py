"""The project's URLs plus two trivial views, the bare-Django baselines of the benchmarks: a GET
(login_throughput.py, attendance_ingest.py) and a JSON POST (attendance_ingest.py)."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cms.urls import urlpatterns as project_urlpatterns


@login_not_required
def ping(request):
    """Goes through the whole middleware stack, touches neither the database nor a template."""
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_POST
@login_not_required
def echo(request):
    """Parses a JSON body and answers a small JSON: the request's work without the application's."""
    data = json.loads(request.body)
    return JsonResponse({"rows": len(data.get("classes", [])), "date": data.get("date")})


urlpatterns = [
    path("__bench__/ping/", ping, name="bench_ping"),
    path("__bench__/echo/", echo, name="bench_echo"),
    *project_urlpatterns,
]
