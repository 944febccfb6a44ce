from django.urls import include, path

from palier.web import auth, downloads, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("password-reset/", auth.ResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth.ResetCompleteView.as_view(), name="password_reset_complete"),
    path("language/", views.set_language, name="set_language"),
    path("attachments/<int:attachment_id>/", downloads.download, name="attachment"),
    path("portal/", include("palier.web.portal.urls")),
    path("desk/", include("palier.web.agent.urls")),
    path("billing/", include("palier.web.billing.urls")),
    path("rnd/", include("palier.web.engineering.urls")),
    path("audit/", include("palier.web.audit.urls")),
]
