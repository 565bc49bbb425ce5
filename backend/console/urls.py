from django.urls import URLPattern, path

from backend.console import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("login", views.login_view, name="login"),
    path("logout", views.logout_view, name="logout"),
]
