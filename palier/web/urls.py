from django.urls import include, path

from palier.web import auth, downloads, invitations, second_factor, sso, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("login/verify/", second_factor.verify, name="two_factor_verify"),
    path(
        "login/verify/passkey/begin/",
        second_factor.PasskeyBegin.as_view(),
        name="two_factor_passkey_begin",
    ),
    path(
        "login/verify/passkey/complete/",
        second_factor.PasskeyComplete.as_view(),
        name="two_factor_passkey_complete",
    ),
    path("login/sso/<slug:name>/", sso.start, name="sso_start"),
    path("login/sso/<slug:name>/callback/", sso.callback, name="sso_callback"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("account/", include("palier.web.account.urls")),
    path("password-reset/", auth.ResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth.ResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<str:key>/", invitations.accept, name="invitation"),
    path("language/", views.set_language, name="set_language"),
    path("attachments/<int:attachment_id>/", downloads.download, name="attachment"),
    path("portal/", include("palier.web.portal.urls")),
    path("desk/", include("palier.web.agent.urls")),
    path("billing/", include("palier.web.billing.urls")),
    path("rnd/", include("palier.web.engineering.urls")),
    path("manage/", include("palier.web.manage.urls")),
    path("audit/", include("palier.web.audit.urls")),
    path("help/", include("palier.web.knowledge.urls")),
    path("satisfaction/", include("palier.web.satisfaction.urls")),
    path("dashboards/", include("palier.web.dashboards.urls")),
]
