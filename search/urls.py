from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="results"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("log/", views.query_log, name="query_log"),
]
