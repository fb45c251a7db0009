from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("my-school/", views.my_school, name="my_school"),
]
