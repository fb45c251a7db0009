"""The project's URLs plus one trivial view: the bare-Django baseline of benchmarks/login_throughput.py."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as project_urlpatterns


@login_not_required
def ping(request):
    """Goes through the whole middleware stack, touches neither the database nor a template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("__bench__/ping/", ping, name="bench_ping"), *project_urlpatterns]
