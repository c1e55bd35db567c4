"""Identity: login, logout, the password, the profile, and the first login with a code."""

from django.urls import path

from .views import activation, auth, school

app_name = "accounts"
urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", auth.profile, name="profile"),
    path("activate/", activation.activate, name="activate"),
    path("school/", school.school_settings, name="school"),
]
