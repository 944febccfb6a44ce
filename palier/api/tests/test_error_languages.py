"""Every API error speaks the caller's language, pydantic's field messages and the refusals
given before the token is read included: the profile language of the token's user when
the request names none, else its Accept-Language; English stays pydantic's own text."""

from __future__ import annotations

import io
import json

import pytest

from palier.lib.body_limit import BodyLimitMiddleware

LANGUAGES = ("en", "fr", "de", "it")


def details_of(response) -> dict[str, dict]:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return {d["field"]: d for d in error["details"]}


EXPECTED = {
    # type: {language: message}
    "missing": {
        "en": "Field required",
        "fr": "Champ obligatoire",
        "de": "Pflichtfeld",
        "it": "Campo obbligatorio",
    },
    "extra_forbidden": {
        "en": "Extra inputs are not permitted",
        "fr": "Ce champ n’est pas admis ici",
        "de": "Dieses Feld ist hier nicht zulässig",
        "it": "Questo campo non è ammesso qui",
    },
    "string_too_long": {
        "en": "String should have at most 200 characters",
        "fr": "Le texte doit compter au plus 200 caractères",
        "de": "Der Text darf höchstens 200 Zeichen lang sein",
        "it": "Il testo deve contenere al massimo 200 caratteri",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_pydantic_messages_are_in_the_accept_language(world, api, language):
    client = api(world.agent)
    r = client.post(
        "/tickets", {"subject": "x" * 201, "colour": "red"}, HTTP_ACCEPT_LANGUAGE=language
    )
    details = details_of(r)
    assert details["type"]["type"] == "missing"
    assert details["type"]["message"] == EXPECTED["missing"][language]
    assert details["colour"]["type"] == "extra_forbidden"
    assert details["colour"]["message"] == EXPECTED["extra_forbidden"][language]
    assert details["subject"]["type"] == "string_too_long"
    assert details["subject"]["message"] == EXPECTED["string_too_long"][language]


def test_a_token_user_reads_pydantic_messages_in_their_profile_language(world, api):
    r = api(world.contact_a).post("/tickets", {"subject": "x"})  # anna.a reads German
    assert details_of(r)["type"]["message"] == "Pflichtfeld"
    r = api(world.contact_b).post("/tickets", {"subject": "x"})  # bruno.b reads French
    assert details_of(r)["type"]["message"] == "Champ obligatoire"


@pytest.mark.parametrize(
    ("language", "integer", "minimum", "choice"),
    [
        (
            "en",
            "Input should be a valid integer",
            "Input should be greater than or equal to 0",
            "Input should be ",
        ),
        (
            "fr",
            "Saisissez un nombre entier",
            "La valeur doit être supérieure ou égale à 0",
            "La valeur doit être l’une de : ",
        ),
        (
            "de",
            "Geben Sie eine ganze Zahl ein",
            "Der Wert muss grösser oder gleich 0 sein",
            "Der Wert muss einer der folgenden sein: ",
        ),
        (
            "it",
            "Inserisca un numero intero",
            "Il valore deve essere maggiore o uguale a 0",
            "Il valore deve essere uno dei seguenti: ",
        ),
    ],
)
def test_numbers_and_choices_are_refused_in_the_callers_words(
    world, api, language, integer, minimum, choice
):
    client = api(world.agent)
    body = {"type": "complaint", "subject": "x", "customer_id": "abc"}
    details = details_of(client.post("/tickets", body, HTTP_ACCEPT_LANGUAGE=language))
    # A body's id is a JSON integer: text is refused by its type, not parsed (schemas.Integer).
    assert details["customer_id"]["type"] == "int_type"
    assert details["customer_id"]["message"] == integer
    assert details["type"]["type"] == "enum"
    assert details["type"]["message"].startswith(choice)
    assert "'usage'" in details["type"]["message"]
    if language != "en":
        assert " or " not in details["type"]["message"]
    body = {"type": "usage", "subject": "x", "customer_id": -1}
    details = details_of(client.post("/tickets", body, HTTP_ACCEPT_LANGUAGE=language))
    assert details["customer_id"]["type"] == "greater_than_equal"
    assert details["customer_id"]["message"] == minimum


@pytest.mark.parametrize(
    ("language", "out_of_range", "not_a_day"),
    [
        ("en", "Value error, A day between 1900-01-01 and 2999-12-31.", "Input should be a "),
        (
            "fr",
            "Un jour entre le 1900-01-01 et le 2999-12-31.",
            "Saisissez un jour, AAAA-MM-JJ",
        ),
        (
            "de",
            "Ein Tag zwischen dem 1900-01-01 und dem 2999-12-31.",
            "Geben Sie einen Tag ein, JJJJ-MM-TT",
        ),
        (
            "it",
            "Un giorno tra il 1900-01-01 e il 2999-12-31.",
            "Inserisca un giorno, AAAA-MM-GG",
        ),
    ],
)
def test_our_own_validators_and_days_speak_the_callers_language(
    world, api, language, out_of_range, not_a_day
):
    client = api(world.agent).client
    r = client.get(
        "/api/v1/reports/billing?period_start=3000-01-01&period_end=2026-13-45T10:00",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    details = details_of(r)
    assert details["query.period_start"]["type"] == "value_error"
    assert details["query.period_start"]["message"] == out_of_range
    assert details["query.period_end"]["message"].startswith(not_a_day)


def test_an_unknown_type_keeps_pydantics_text():
    from django.utils import translation

    from palier.api.validation_messages import validation_message

    error = {"type": "url_parsing", "msg": "Input should be a valid URL, empty input", "ctx": {}}
    with translation.override("fr"):
        assert validation_message(error) == "Input should be a valid URL, empty input"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Send the request body as JSON (Content-Type: application/json)."),
        ("fr", "Envoyez le corps de la requête en JSON (Content-Type: application/json)."),
        ("de", "Senden Sie den Inhalt der Anfrage als JSON (Content-Type: application/json)."),
        ("it", "Invii il corpo della richiesta in JSON (Content-Type: application/json)."),
    ],
)
def test_a_body_that_is_not_json_is_refused_in_the_callers_language(world, api, language, message):
    client = api(world.agent).client
    r = client.post(
        "/api/v1/tickets", "type=usage", content_type="text/plain", HTTP_ACCEPT_LANGUAGE=language
    )
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert r.json()["error"]["message"] == message
    german = api(world.contact_a).client.post("/api/v1/tickets", "x", content_type="text/plain")
    assert german.json()["error"]["message"].startswith("Senden Sie den Inhalt")


REUSED = {
    "en": "This Idempotency-Key was already used for another request.",
    "fr": "Cette Idempotency-Key a déjà servi pour une autre requête.",
    "de": "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet.",
    "it": "Questa Idempotency-Key è già stata usata per un’altra richiesta.",
}
IN_PROGRESS = {
    "en": "A request with this key is still being answered; try again shortly.",
    "fr": "Une requête avec cette clé est encore en cours de traitement\u202f; réessayez dans un "
    "instant.",
    "de": "Eine Anfrage mit diesem Schlüssel wird noch beantwortet; versuchen Sie es gleich "
    "noch einmal.",
    "it": "Una richiesta con questa chiave è ancora in elaborazione; riprovi tra poco.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_idempotency_refusals_speak_the_accept_language(world, api, language):
    from palier.web.models import Submission

    client = api(world.agent)
    first = {"type": "usage", "subject": "A", "customer_id": world.customer_a.pk}
    client.post("/tickets", first, HTTP_IDEMPOTENCY_KEY="k-1")
    other = {**first, "subject": "B"}
    r = client.post("/tickets", other, HTTP_IDEMPOTENCY_KEY="k-1", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "idempotency_key_reused", "message": REUSED[language]}
    # The first one still being answered: its row has no answer yet.
    client.post("/tickets", {**first, "subject": "C"}, HTTP_IDEMPOTENCY_KEY="k-2")
    Submission.objects.filter(key="k-2").update(status=None)
    r = client.post(
        "/tickets",
        {**first, "subject": "C"},
        HTTP_IDEMPOTENCY_KEY="k-2",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "request_in_progress", "message": IN_PROGRESS[language]}


def test_idempotency_refusals_speak_the_token_users_profile_language(world, api):
    client = api(world.contact_a)  # anna.a reads German, and sends no Accept-Language
    client.post("/tickets", {"type": "usage", "subject": "A"}, HTTP_IDEMPOTENCY_KEY="k-1")
    r = client.post("/tickets", {"type": "usage", "subject": "B"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.json()["error"]["message"] == REUSED["de"]
    r = api(world.contact_b).post("/tickets", {"type": "usage"}, HTTP_IDEMPOTENCY_KEY="é")
    assert r.json()["error"]["code"] == "invalid_idempotency_key"
    assert "ASCII" in r.json()["error"]["message"]
    assert r.json()["error"]["message"] != (
        "Idempotency-Key is 1 to 200 printable ASCII characters."
    )


def test_a_body_over_its_limit_with_a_key_is_a_413_in_the_users_language(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api(world.contact_a)
    body = {"type": "usage", "subject": "x", "description": "y" * 2000}
    r = client.post("/tickets", body, HTTP_IDEMPOTENCY_KEY="big")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert r.json()["error"]["message"] == "Der Inhalt der Anfrage ist zu gross."


def _too_large(environ: dict) -> tuple[str, dict]:
    answer: list = []

    def start_response(status, headers, exc_info=None):
        answer.append(status)

    def never(environ, start_response):  # pragma: no cover - the limit answers first
        raise AssertionError("the desk was reached")

    body = b"".join(BodyLimitMiddleware(never)(environ, start_response))
    return answer[0], json.loads(body)


def _environ(**headers) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/tickets",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(10**9),
        "wsgi.input": io.BytesIO(b""),
        **headers,
    }


def test_the_body_limit_answers_a_token_user_in_their_profile_language(world, api):
    from palier.accounts.actions import do_create_token

    _token, raw = do_create_token(world.contact_b, name="limit")  # bruno.b reads French
    status, body = _too_large(_environ(HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert status.startswith("413")
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["message"].startswith("La requête est trop volumineuse")
    # The request's own language wins; an unknown token is answered in English.
    status, body = _too_large(
        _environ(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="it")
    )
    assert body["error"]["message"].startswith("La richiesta è troppo grande")
    status, body = _too_large(_environ(HTTP_AUTHORIZATION="Bearer nobody"))
    assert body["error"]["message"].startswith("The request is too large")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Introuvable (devis), ou vous n’y avez pas accès."),
        ("de", "Nicht gefunden (Offerte), oder Sie haben keinen Zugriff darauf."),
        ("it", "Non trovato (preventivo), oppure Lei non vi ha accesso."),
        ("en", "No such estimate, or it is not yours to see."),
    ],
)
def test_a_404_names_the_object_in_the_callers_language(world, api, language, message):
    missing = api(world.agent).client.get("/api/v1/estimates/999999", HTTP_ACCEPT_LANGUAGE=language)
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "not_found", "message": message}


def test_every_object_a_404_names_is_translated():
    from django.utils import translation

    from palier.api.errors import NOT_FOUND_OBJECTS

    for language in ("fr", "de", "it"):
        with translation.override(language):
            untranslated = [en for en, name in NOT_FOUND_OBJECTS.items() if str(name) == en]
        # Words that read the same in that language (patch, macro, webhook, ...) aside.
        same = {
            "fr": {
                "action",
                "contact",
                "installation",
                "article",
                "format",
                "import",
                "macro",
                "message",
                "module",
                "page",
                "patch",
                "session",
                "source",
                "ticket",
                "types",
                "version",
                "webhook",
            },
            "de": set(),
            "it": {"browser", "file", "macro", "patch", "ticket", "token", "webhook"},
        }[language]
        assert set(untranslated) <= same, (language, set(untranslated) - same)


@pytest.mark.django_db
def test_an_address_with_no_endpoint_is_a_404_in_the_callers_language(world, api):
    from django.test import Client

    french = Client().get("/api/v1/nope/1", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 404
    assert french.json()["error"]["message"] == "Aucun point d’accès de l’API à cette adresse."
    # No header: the token user's profile language (anna.a reads German).
    german = api(world.contact_a).client.get("/api/v1/nope/1")
    assert german.json()["error"]["message"] == "An dieser Adresse gibt es keinen API-Endpunkt."


def test_a_lone_surrogate_is_refused_in_the_callers_words(world, api):
    """Pydantic's own English ("unable to parse raw data as a unicode string") reached a
    French caller inside a French answer."""
    import json

    client = api(world.contact_a)
    body = '{"type": "usage", "subject": "a\\ud800b", "description": "x"}'
    r = client.client.post(
        "/api/v1/tickets", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert r.status_code == 422, r.content
    detail = details_of(r)["subject"]
    assert detail["type"] == "string_unicode"
    assert detail["message"] == "Saisissez un texte", json.loads(r.content)
