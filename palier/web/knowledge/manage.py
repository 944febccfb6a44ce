"""Staff screens of the knowledge base: write, review, publish, history; deflection report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.accounts.permissions import Permission, allowed
from palier.knowledge.actions import (
    LANGUAGE_CODES,
    do_archive,
    do_create_article,
    do_draft_from_ticket,
    do_edit_translation,
    do_publish,
    do_submit_for_review,
    do_update_article,
)
from palier.knowledge.models import Article, ArticleStatus, ArticleTranslation, ArticleVersion
from palier.knowledge.queries import deflection_report, staff_articles
from palier.lib.errors import DomainError
from palier.tickets.queries import access_ticket_by_id
from palier.web.access import manager_required, staff_required
from palier.web.knowledge.forms import ArticleSettingsForm, NewArticleForm, TranslationForm

HISTORY = 30


@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ArticleStatus.values:
        status = ""
    articles = list(staff_articles(status=status))
    rows = []
    for a in articles:
        by_lang = {t.language: t for t in a.translations.all()}
        rows.append((a, [by_lang.get(c) for c in LANGUAGE_CODES]))
    return render(
        request,
        "web/knowledge/manage/list.html",
        {
            "rows": rows,
            "languages": LANGUAGE_CODES,
            "status": status,
            "statuses": ArticleStatus.choices,
            "can_see_deflection": request.user.is_manager,
        },
    )


@staff_required
def new_article(request: HttpRequest) -> HttpResponse:
    language = (get_language() or "en")[:2]
    form = NewArticleForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            t = do_create_article(
                acting_user=request.user,
                language=data["language"],
                title=data["title"],
                body=data["body"],
                visibility=data["visibility"],
                module=data["module"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("web:knowledge:detail", key=t.article.key)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/knowledge/manage/new.html", {"form": form}, status=status)


def _article(key: str) -> Article:
    return get_object_or_404(Article.objects.select_related("module", "product"), key=key)


@staff_required
def article_detail(request: HttpRequest, key: str) -> HttpResponse:
    article = _article(key)
    form = ArticleSettingsForm(
        request.POST or None,
        initial={"visibility": article.visibility, "module": article.module},
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_update_article(
                article,
                acting_user=request.user,
                visibility=form.cleaned_data["visibility"],
                product=article.product,
                module=form.cleaned_data["module"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:knowledge:detail", key=key)
    translations = {t.language: t for t in article.translations.all()}
    versions = (
        ArticleVersion.objects.filter(translation__article=article)
        .select_related("translation", "edited_by")
        .order_by("-id")[:HISTORY]
    )
    context = {
        "article": article,
        "form": form,
        "slots": [(code, translations.get(code)) for code in LANGUAGE_CODES],
        "versions": versions,
        "can_publish": allowed(request.user, Permission.ARTICLE_PUBLISH),
    }
    return render(request, "web/knowledge/manage/detail.html", context)


def _check_language(language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise Http404("language")


@staff_required
def edit_translation(request: HttpRequest, key: str, language: str) -> HttpResponse:
    _check_language(language)
    article = _article(key)
    t = ArticleTranslation.objects.filter(article=article, language=language).first()
    others = [x for x in article.translations.all() if x.language != language]
    initial = {"title": t.title, "body": t.body, "expected_version": t.version} if t else {}
    form = TranslationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_edit_translation(
                article,
                language,
                acting_user=request.user,
                title=data["title"],
                body=data["body"],
                note=data["note"],
                expected_version=data["expected_version"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("web:knowledge:detail", key=key)
    context = {
        "article": article,
        "language": language,
        "translation": t,
        "form": form,
        "others": others,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/knowledge/manage/edit.html", context, status=status)


STEPS = {"submit": do_submit_for_review, "publish": do_publish, "archive": do_archive}
DONE = {
    "submit": _("Sent for review."),
    "publish": _("Published: readers see this text now."),
    "archive": _("Archived: readers no longer see this text."),
}


@require_POST
@staff_required
def move(request: HttpRequest, key: str, language: str, step: str) -> HttpResponse:
    _check_language(language)
    if step not in STEPS:
        raise Http404("step")
    t = get_object_or_404(ArticleTranslation, article__key=key, language=language)
    try:
        STEPS[step](t, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(DONE[step]))
    return redirect("web:knowledge:detail", key=key)


@require_POST
@staff_required
def from_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket_by_id(request.user, ticket_id)
    try:
        t = do_draft_from_ticket(ticket, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:knowledge:manage")
    messages.success(request, _("Draft article made from %(ref)s.") % {"ref": ticket.reference})
    return redirect("web:knowledge:edit", key=t.article.key, language=t.language)


@manager_required
def deflection(request: HttpRequest) -> HttpResponse:
    report = deflection_report((get_language() or "en")[:2])
    return render(request, "web/knowledge/manage/deflection.html", {"report": report})
