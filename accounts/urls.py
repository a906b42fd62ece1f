from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/create-user", views.CreateUserView.as_view(), name="auth-create-user"),
    path("auth/sign-in", views.SignInView.as_view(), name="auth-sign-in"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("auth/token", views.TokenObtainView.as_view(), name="auth-token"),
    path(
        "auth/token/refresh",
        views.TokenRefreshView.as_view(),
        name="auth-token-refresh",
    ),
    path(
        "auth/token/blacklist",
        views.TokenBlacklistView.as_view(),
        name="auth-token-blacklist",
    ),
    path(
        "auth/verify-email", views.EmailVerifyView.as_view(), name="auth-verify-email"
    ),
    path(
        "auth/verify-email/resend",
        views.EmailVerificationResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path(
        "auth/password-reset",
        views.PasswordResetView.as_view(),
        name="auth-password-reset",
    ),
    path(
        "auth/password-reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
]
