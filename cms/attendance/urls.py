from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.xlsx", views.upload_template, name="upload_template"),
    path("api-key/", views.api_key, name="api_key"),
    path("api-key/new/", views.api_key_rotate, name="api_key_rotate"),
]
