"""The survey pages: the signed link from the mail (no sign-in needed) and the portal's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from palier.lib.errors import DomainError
from palier.satisfaction.models import AnsweredVia, Survey
from palier.satisfaction.surveys import LinkExpired, do_answer_survey, survey_from_token
from palier.web.access import contact_required
from palier.web.satisfaction.forms import AnswerForm


def _initial_score(request: HttpRequest) -> int | None:
    raw = request.GET.get("score", "")
    return int(raw) if raw in {"1", "2", "3", "4", "5"} else None


def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link changes nothing (mail scanners follow links); posting answers."""
    try:
        survey = survey_from_token(token)
    except DomainError as exc:
        return render(
            request,
            "web/satisfaction/error.html",
            {"message": exc.message, "code": exc.code},
            status=410 if isinstance(exc, LinkExpired) else 404,
        )
    with translation.override(survey.language):
        if survey.is_answered:
            return render(request, "web/satisfaction/done.html", {"survey": survey}, status=409)
        form = AnswerForm(request.POST or None, initial={"score": _initial_score(request)})
        if request.method == "POST" and form.is_valid():
            try:
                survey = do_answer_survey(
                    survey,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    via=AnsweredVia.LINK,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return render(request, "web/satisfaction/done.html", {"survey": survey})
        return render(request, "web/satisfaction/survey.html", {"survey": survey, "form": form})


@contact_required
@require_POST
def answer_on_portal(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = Survey.objects.select_related("ticket").filter(pk=survey_id).first()
    if survey is None or survey.contact_id != request.user.pk:
        raise Http404("survey")  # another person's survey is not found
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            do_answer_survey(
                survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                via=AnsweredVia.PORTAL,
                acting_user=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, form.errors.as_text())
    return redirect("web:portal:detail", survey.ticket_id)
