from django.urls import path

from backend.accounts.api import views

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all", views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/phone", views.MePhoneView.as_view(), name="me-phone"),
    path("me/password", views.PasswordChangeView.as_view(), name="me-password"),
    path("users", views.UserListView.as_view(), name="user-list"),
    path("users/<int:pk>", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/languages", views.UserLanguagesView.as_view(), name="user-languages"),
    path("users/<int:pk>/unlock", views.UserUnlockView.as_view(), name="user-unlock"),
    path("teams", views.TeamListView.as_view(), name="team-list"),
    path("teams/<int:pk>/members", views.TeamMembersView.as_view(), name="team-members"),
    path(
        "teams/<int:pk>/members/<int:user_id>",
        views.TeamMemberDetailView.as_view(),
        name="team-member-detail",
    ),
]
