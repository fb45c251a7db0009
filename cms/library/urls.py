from django.urls import path

from cms.pages import review

from . import views

app_name = "library"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("review-due/", review.review_due, name="review_due"),
]
