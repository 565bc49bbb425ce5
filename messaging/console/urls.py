from django.urls import URLPattern, path

from messaging.console import views

urlpatterns: list[URLPattern] = [
    path("texts", views.texts, name="texts"),
    path("texts/reviews/<int:pk>/resolve", views.review_resolve, name="sms-review-resolve"),
]
