from django.urls import path

from palier.web.account import twofactor, views

app_name = "account"

urlpatterns = [
    path("", views.security, name="security"),
    path("tokens/", views.create_token, name="create_token"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("sessions/<str:sid>/end/", views.end_session, name="end_session"),
    path("sessions/end-others/", views.end_other_sessions, name="end_other_sessions"),
    # Everything under two-factor/ opens to a session in setup (accounts/twofactor.py).
    path("two-factor/", twofactor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.recovery_codes, name="recovery_codes"),
    path(
        "two-factor/<str:kind>/<int:device_id>/remove/",
        twofactor.remove_factor,
        name="remove_factor",
    ),
    path(
        "two-factor/browsers/<int:browser_id>/forget/",
        twofactor.forget_browser,
        name="forget_browser",
    ),
    path(
        "two-factor/passkeys/begin/",
        twofactor.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "two-factor/passkeys/complete/",
        twofactor.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
]
