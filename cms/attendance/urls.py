from django.urls import path

from . import dashboards, views

app_name = "attendance"

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("district/<slug:slug>/", dashboards.district, name="district"),
    path("school/<int:pk>/", dashboards.school, name="school"),
    path("school/<int:pk>/class/<int:class_pk>/", dashboards.school_class, name="class"),
    path("submit/", views.submit, name="submit"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.xlsx", views.upload_template, name="upload_template"),
    path("api-key/", views.api_key, name="api_key"),
    path("api-key/new/", views.api_key_rotate, name="api_key_rotate"),
]
