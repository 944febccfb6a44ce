"""Billing's background work: prepaid alerts by mail, run by the worker after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_prepaid_alert(contract_id: int, threshold: int) -> None:
    """Tell the customer's admins and the account manager how much prepaid time is left."""
    from palier.accounts.models import User
    from palier.billing.prepaid import prepaid_balance
    from palier.customers.models import Contract
    from palier.tickets.queries import customer_language

    contract = (
        Contract.objects.select_related("customer__account_manager").filter(pk=contract_id).first()
    )
    if contract is None:
        return
    balance = prepaid_balance(contract)
    recipients = list(
        User.objects.filter(customer=contract.customer, is_customer_admin=True, is_active=True)
    )
    if contract.customer.account_manager is not None:
        recipients.append(contract.customer.account_manager)
    for user in recipients:
        if not user.email:
            continue
        # A contact reads it as their customer does; the account manager as the desk.
        language = (
            customer_language(contract.customer, user)
            if user.customer_id
            else user.language or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            subject = _("Prepaid consulting hours: %(percent)s%% used") % {"percent": threshold}
            body = _(
                "Contract %(contract)s of %(customer)s has used %(used)s of its %(bought)s "
                "prepaid consulting hours; %(remaining)s hours remain. Beyond the balance, "
                "each piece of billable work is proposed to you for consent first."
            ) % {
                "contract": contract.reference,
                "customer": contract.customer.name,
                "used": balance.as_dict()["used_hours"],
                "bought": balance.as_dict()["bought_hours"],
                "remaining": balance.as_dict()["remaining_hours"],
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
