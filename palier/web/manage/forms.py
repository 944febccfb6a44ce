"""Forms of the managers' screens: people, the catalogue, imports and webhooks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import Role
from palier.customers.models import Customer
from palier.web.fields import IdChoiceField


class IsoDateInput(forms.DateInput):
    """<input type=date> reads and writes ISO dates in every language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _customers():
    return Customer.objects.order_by("name")


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    customer = IdChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        empty_label=_("None (staff)"),
        help_text=_("Contacts belong to a customer; the vendor's staff to none."),
    )
    is_customer_admin = forms.BooleanField(
        label=_("Administers the customer's account"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to use the email address."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = _customers()


class NewPersonForm(PersonForm):
    invite = forms.BooleanField(
        label=_("Send an invitation now"),
        required=False,
        initial=True,
        help_text=_("A link by mail to choose a password; it works once, for a few days."),
    )


class ModuleForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name (English)"), max_length=100)
    name_fr = forms.CharField(label=_("Name in French"), max_length=100, required=False)
    name_de = forms.CharField(label=_("Name in German"), max_length=100, required=False)
    name_it = forms.CharField(label=_("Name in Italian"), max_length=100, required=False)


class VersionForm(forms.Form):
    number = forms.RegexField(
        label=_("Version number"),
        regex=r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,39}$",
        help_text=_("e.g. 11.4.0"),
    )
    released_on = forms.DateField(label=_("Released on"), required=False, widget=IsoDateInput)
    end_of_support = forms.DateField(label=_("End of support"), required=False, widget=IsoDateInput)


class ProductForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)


class InstallationForm(forms.Form):
    customer = IdChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    version = IdChoiceField(label=_("Version"), queryset=None)
    environment = forms.CharField(
        label=_("Environment"), max_length=40, initial="production", required=False
    )
    installed_on = forms.DateField(label=_("Installed on"), required=False, widget=IsoDateInput)

    def __init__(self, *args, **kwargs) -> None:
        from palier.catalogue.queries import sorted_versions
        from palier.customers.models import ProductVersion

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = _customers()
        versions = sorted_versions(ProductVersion.objects.select_related("product"))
        self.fields["version"].queryset = ProductVersion.objects.all()
        self.fields["version"].choices = [("", _("Choose a version"))] + [
            (v.pk, f"{v.product.name} {v.number}") for v in versions
        ]


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the desk posts ticket events, e.g. https://erp.example.com/palier."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        from palier.webhooks.labels import event_choices

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices()
