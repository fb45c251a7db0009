from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("password/", views.password_change, name="password_change"),
]
