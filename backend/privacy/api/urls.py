from django.urls import path

from backend.privacy.api import views

urlpatterns = [path("privacy/erasures", views.ErasureView.as_view(), name="privacy-erasures")]
