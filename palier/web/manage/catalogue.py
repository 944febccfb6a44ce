"""Managers' screens for the catalogue: products with their modules and versions (sorted as
versions), and which customer runs which version."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.catalogue import actions
from palier.catalogue.queries import (
    access_installation_by_id,
    access_module_by_id,
    access_product_by_id,
    access_version_by_id,
    sorted_versions,
    visible_installations,
)
from palier.customers.models import Customer, Product, ProductVersion
from palier.lib.errors import DomainError
from palier.lib.rows import parse_id
from palier.web.access import manager_required
from palier.web.manage.forms import InstallationForm, ModuleForm, ProductForm, VersionForm
from palier.web.manage.people import _errors_to_form


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"web/manage/{template}", {"section": "catalogue", **context})


@manager_required
def catalogue(request: HttpRequest) -> HttpResponse:
    products = list(Product.objects.prefetch_related("modules").order_by("name"))
    versions = sorted_versions(ProductVersion.objects.all())
    for product in products:
        product.sorted_versions = [v for v in versions if v.product_id == product.pk]
    return _page(request, "catalogue.html", {"products": products})


def _save(request: HttpRequest, form, save, done: str):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, done % {"name": obj})
            return redirect("web:manage:catalogue")
    return None


@manager_required
def product_new(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    saved = _save(
        request,
        form,
        lambda d: actions.do_save_product(None, acting_user=request.user, **d),
        _("%(name)s was added."),
    )
    return saved or _page(
        request, "catalogue_form.html", {"form": form, "title": _("Add a product")}
    )


@manager_required
def module_form(
    request: HttpRequest, product_id: int | None = None, module_id: int | None = None
) -> HttpResponse:
    module = access_module_by_id(module_id) if module_id else None
    product = module.product if module else access_product_by_id(product_id)
    initial = (
        {k: getattr(module, k) for k in ("code", "name", "name_fr", "name_de", "name_it")}
        if module
        else {}
    )
    form = ModuleForm(request.POST or None, initial=initial)
    if module:
        form.fields["code"].disabled = True

    def save(data):
        if module:
            data = {k: v for k, v in data.items() if k != "code"}
            return actions.do_save_module(module, acting_user=request.user, **data)
        return actions.do_save_module(None, acting_user=request.user, product=product, **data)

    saved = _save(request, form, save, _("%(name)s was saved."))
    title = (
        _("Module %(name)s") % {"name": module.name}
        if module
        else _("Add a module to %(product)s") % {"product": product.name}
    )
    return saved or _page(request, "catalogue_form.html", {"form": form, "title": title})


@manager_required
def version_form(
    request: HttpRequest, product_id: int | None = None, version_id: int | None = None
) -> HttpResponse:
    version = access_version_by_id(version_id) if version_id else None
    product = version.product if version else access_product_by_id(product_id)
    initial = (
        {k: getattr(version, k) for k in ("number", "released_on", "end_of_support")}
        if version
        else {}
    )
    form = VersionForm(request.POST or None, initial=initial)

    def save(data):
        if version:
            return actions.do_save_version(version, acting_user=request.user, **data)
        return actions.do_save_version(None, acting_user=request.user, product=product, **data)

    saved = _save(request, form, save, _("%(name)s was saved."))
    title = (
        _("Version %(name)s") % {"name": version}
        if version
        else _("Add a version of %(product)s") % {"product": product.name}
    )
    return saved or _page(request, "catalogue_form.html", {"form": form, "title": title})


@manager_required
def installations(request: HttpRequest) -> HttpResponse:
    customer_id = parse_id(request.GET.get("customer"))
    qs = visible_installations(request.user).order_by("customer__name", "id")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    form = InstallationForm(
        request.POST or None, initial={"customer": customer_id} if customer_id else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["environment"] = data["environment"] or "production"
        try:
            actions.do_save_installation(None, acting_user=request.user, **data)
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The installation was recorded."))
            return redirect(f"{request.path}?customer={data['customer'].pk}")
    return _page(
        request,
        "installations.html",
        {
            "installations": list(qs[:1000]),
            "form": form,
            "customers": Customer.objects.order_by("name").only("id", "name"),
            "customer_id": customer_id,
        },
    )


@manager_required
@require_POST
def installation_remove(request: HttpRequest, installation_id: int) -> HttpResponse:
    installation = access_installation_by_id(request.user, installation_id)
    actions.do_remove_installation(installation, acting_user=request.user)
    messages.success(request, _("The installation was removed."))
    return redirect(f"{reverse('web:manage:installations')}?customer={installation.customer_id}")
