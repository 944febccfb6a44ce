from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "palier.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from palier.accounts import checks  # noqa: F401 (registers the system checks)

        # Django's own hook, which every sign-in goes through (the form, single sign-on, a
        # test's force_login): the session learns at once what it still owes.
        user_logged_in.connect(_on_sign_in, dispatch_uid="palier.accounts.on_sign_in")


def _on_sign_in(sender, request, user, **kwargs) -> None:
    # Imported at the first sign-in, not at start-up: two-factor pulls in the passkeys'
    # library (webauthn, cryptography, OpenSSL), which processes that sign nobody in, such
    # as `palier mail ingest` once per mail, need not load.
    from palier.accounts.twofactor import on_sign_in

    on_sign_in(sender, request=request, user=user, **kwargs)
