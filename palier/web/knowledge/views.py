"""The help centre: articles by product and module, search, and the suggestions shown while
a contact types a new request. Anyone may read articles for everyone; a contact with an
active contract also reads the customers' ones; staff read them all (knowledge.queries)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from palier.customers.models import Module
from palier.knowledge.actions import do_record_deflection
from palier.knowledge.queries import access_article_by_key, readings, search_articles
from palier.lib.rows import one_or_none, parse_id
from palier.web.access import contact_required

SUGGESTIONS = 3
RESULTS = 20
MIN_QUERY = 12  # characters typed before the form suggests articles


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    codes = {"en", "fr", "de", "it"}
    return asked if asked in codes else (get_language() or "en")[:2]


def _groups(found):
    """Readings grouped by product, then module (articles of no module last)."""

    def place(r):
        a = r.article
        return (
            a.product is None,
            a.product.name if a.product else "",
            a.module is None,
            a.module.name if a.module else "",
        )

    ordered = sorted(found, key=lambda r: (*place(r), r.title.lower()))
    return [(key[1], key[3], list(items)) for key, items in groupby(ordered, key=place)]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    query = request.GET.get("q", "").strip()[:200]
    context = {"query": query}
    if query:
        results = search_articles(request.user, query, language, limit=RESULTS)
        context["results"] = results or search_articles(
            request.user, query, language, limit=RESULTS, any_word=True
        )
    else:
        context["groups"] = _groups(readings(request.user, language))
    return render(request, "web/knowledge/home.html", context)


@require_safe
def article(request: HttpRequest, key: str) -> HttpResponse:
    reading = access_article_by_key(request.user, key, _language(request))
    return render(
        request,
        "web/knowledge/article.html",
        {"reading": reading, "query": request.GET.get("q", "")[:300]},
    )


@require_safe
@contact_required
def suggest(request: HttpRequest) -> HttpResponse:
    """The htmx partial beside the new-request form: articles that may answer what is typed."""
    text = " ".join(request.GET.get(f, "")[:2000] for f in ("subject", "description")).strip()
    if len(text) < MIN_QUERY:
        text, found = "", []
    else:
        found = search_articles(
            request.user, text, (get_language() or "en")[:2], limit=SUGGESTIONS, any_word=True
        )
    return render(
        request,
        "web/knowledge/partials/suggestions.html",
        {"suggestions": found, "query": text[:300], "module": request.GET.get("module", "")},
    )


@require_POST
@contact_required
def answered(request: HttpRequest, key: str) -> HttpResponse:
    """ "This answered my question": counted, and the contact sends no request."""
    language = (get_language() or "en")[:2]
    reading = access_article_by_key(request.user, key, language)
    module_id = parse_id(request.POST.get("module"))
    module = one_or_none(Module.objects.filter(pk=module_id)) if module_id else None
    do_record_deflection(
        reading.article,
        contact=request.user,
        language=reading.translation.language,
        module=module,
        query=request.POST.get("query", ""),
    )
    messages.success(request, _("Glad it helped. No request was sent."))
    return redirect("web:portal:home")
