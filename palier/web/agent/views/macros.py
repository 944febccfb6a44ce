"""Macros: the list a staff member may use, and the form to write or change one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.lib.errors import DomainError
from palier.tickets import labels
from palier.web.access import staff_required
from palier.web.agent.macro_form import MacroForm, variables_help
from palier.workspace.actions import do_delete_macro, do_save_macro
from palier.workspace.macros import access_macro_by_id, can_edit, visible_macros


@staff_required
def macro_list(request: HttpRequest) -> HttpResponse:
    macros = list(visible_macros(request.user).select_related("team", "owner", "add_tag"))
    rows = [
        (m, can_edit(request.user, m), labels.status(m.set_status) if m.set_status else "")
        for m in macros
    ]
    return render(request, "web/agent/macros.html", {"rows": rows})


@staff_required
def macro_edit(request: HttpRequest, macro_id: int | None = None) -> HttpResponse:
    macro = access_macro_by_id(request.user, macro_id) if macro_id else None
    if macro is not None and not can_edit(request.user, macro):
        raise Http404("macro")
    initial = MacroForm.initial_for(macro) if macro else {"scope": "personal"}
    form = MacroForm(request.POST or None, initial=initial, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = do_save_macro(
                    acting_user=request.user,
                    macro=macro,
                    name=data["name"],
                    scope=data["scope"],
                    team=data["team"],
                    internal=data["internal"],
                    texts={code: data[f"text_{code}"] for code, _name in settings.LANGUAGES},
                    set_status=data["set_status"],
                    set_assignee=data["set_assignee"],
                    assignee=data["assignee"],
                    tag=data["tag"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Macro “%(name)s” saved.") % {"name": saved.name})
                return redirect("web:agent:macros")
    context = {"form": form, "macro": macro, "variables": variables_help()}
    return render(request, "web/agent/macro_form.html", context, status=status)


@require_POST
@staff_required
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = access_macro_by_id(request.user, macro_id)
    try:
        do_delete_macro(macro, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Macro deleted."))
    return redirect("web:agent:macros")
