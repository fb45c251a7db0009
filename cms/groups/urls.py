from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("new/", views.community_create, name="create"),
    path("<int:pk>/", views.community_detail, name="detail"),
    path("<int:pk>/members/", views.community_add_members, name="add_members"),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.membership_remove, name="remove_member"),
]
