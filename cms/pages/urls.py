from django.urls import path

from . import experience

app_name = "experience"

urlpatterns = [
    path("write/", experience.write_article, name="write"),
    path("mine/", experience.my_articles, name="mine"),
]
