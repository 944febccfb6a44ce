"""R&D screens: the defect list, a defect with its tickets, planning and releasing a patch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.permissions import Permission, allowed
from palier.engineering import actions
from palier.engineering.models import Defect, DefectStatus
from palier.engineering.queries import (
    DefectFilters,
    access_defect_by_id,
    access_patch_by_id,
    customers_on_older_versions,
    defect_links,
    list_defects,
    release_audience,
)
from palier.engineering.release_notes import release_notes
from palier.lib.errors import DomainError
from palier.web.access import staff_required
from palier.web.engineering.forms import DefectForm, PatchForm

LANGS = ("en", "fr", "de", "it")


@staff_required
def defect_list(request: HttpRequest) -> HttpResponse:
    status = [s for s in request.GET.getlist("status") if s in DefectStatus.values]
    open_only = request.GET.get("open", "1") == "1" and not status
    filters = DefectFilters(status=status, open_only=open_only)
    try:
        page = list_defects(request.user, filters, cursor=request.GET.get("cursor"), limit=50)
    except DomainError:
        page = list_defects(request.user, filters, limit=50)
    prefetch_related_objects(page.items, "affected_versions")
    return render(
        request,
        "web/engineering/defect_list.html",
        {
            "page": page,
            "statuses": DefectStatus.choices,
            "can_plan": allowed(request.user, Permission.PATCH_WRITE),
            "chosen": status,
            "open_only": open_only,
        },
    )


@staff_required
def defect_detail(request: HttpRequest, defect_id: int) -> HttpResponse:
    defect = access_defect_by_id(request.user, defect_id)
    initial = {
        "status": defect.status,
        "severity": defect.severity,
        "duplicate_of": defect.duplicate_of_id,
        **{f"title_{lang}": defect.title_translations.get(lang, "") for lang in ("fr", "de", "it")},
    }
    form = DefectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicate = None
        if data["duplicate_of"]:
            duplicate = Defect.objects.filter(pk=data["duplicate_of"]).first()
        try:
            if data["duplicate_of"] and duplicate is None:
                raise DomainError(_("There is no defect with this number."))
            actions.do_update_defect(
                defect,
                acting_user=request.user,
                status=data["status"],
                severity=data["severity"],
                duplicate_of=duplicate,
                title_translations={lang: data[f"title_{lang}"] for lang in ("fr", "de", "it")},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The defect was saved."))
            return redirect("web:engineering:defect", defect_id=defect.pk)
    return render(
        request,
        "web/engineering/defect_detail.html",
        {
            "defect": defect,
            "ticket_links": list(defect_links(defect)[:500]),
            "form": form,
            "versions": [v.number for v in defect.affected_versions.all()],
        },
    )


@staff_required
def patch_new(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user, Permission.PATCH_WRITE):
        raise PermissionDenied  # not a form that refuses on submit
    form = PatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patch = actions.do_create_patch(
                acting_user=request.user,
                product=data["product"],
                number=data["number"],
                defects=list(data["defects"]),
                notes=data["notes"],
                notes_translations={lang: data[f"notes_{lang}"] for lang in ("fr", "de", "it")},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:engineering:patch", patch_id=patch.pk)
    return render(request, "web/engineering/patch_new.html", {"form": form})


@staff_required
def patch_detail(request: HttpRequest, patch_id: int) -> HttpResponse:
    patch = access_patch_by_id(request.user, patch_id)
    # The notes' language is chosen with ?lang=; first shown in the reader's.
    asked = request.GET.get("lang")
    language = asked if asked in LANGS else (get_language() or settings.LANGUAGE_CODE)[:2]
    return render(
        request,
        "web/engineering/patch.html",
        {
            "patch": patch,
            "defects": list(patch.defects.select_related("module")),
            "notes": release_notes(patch, language),
            "language": language,
            "languages": LANGS,
            "outdated": customers_on_older_versions(patch),
            "audience": _audience(patch),
        },
    )


def _audience(patch) -> str:
    """What a release does, in words, before it is done (it cannot be undone)."""
    audience = release_audience(patch)
    numbers = {
        "customers": ngettext("%(count)s customer", "%(count)s customers", audience.customers)
        % {"count": audience.customers},
        "requests": ngettext("%(count)s request", "%(count)s requests", audience.tickets)
        % {"count": audience.tickets},
    }
    if patch.released_at:
        return _("This tells %(customers)s (%(requests)s) linked since the release.") % numbers
    return (
        _(
            "Releasing tells %(customers)s (%(requests)s) that the patch is out, by mail and "
            "on the portal; it cannot be undone."
        )
        % numbers
    )


@require_POST
@staff_required
def patch_release(request: HttpRequest, patch_id: int) -> HttpResponse:
    patch = access_patch_by_id(request.user, patch_id)
    if request.POST.get("confirmed") != "1":  # asked once, with what it will do
        context = {"patch": patch, "audience": _audience(patch)}
        return render(request, "web/engineering/patch_release_confirm.html", context)
    try:
        result = actions.do_release_patch(patch, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Released: %(count)s ticket(s) told.") % {"count": len(result.notified_ticket_ids)},
        )
    return redirect("web:engineering:patch", patch_id=patch.pk)
