"""The new-request form, its decision preview and its attachments."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from palier.customers.models import Module
from palier.testing.factories import make_customization
from palier.tickets.models import Attachment, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _form(**overrides):
    data = {
        "type": "usage",
        "module": Module.objects.get(name="Finance").pk,
        "customization": "",
        "product_version": "",
        "criticality": "medium",
        "subject": "Where do I set the default VAT code?",
        "description": "We cannot find the setting.",
        "visibility": "private",
        "action": "send",
    }
    data.update(overrides)
    return data


def test_form_shows_each_type_with_its_coverage_and_criticality_definitions(client, world):
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:new")).content.decode()
    assert "A new feature or a change" in html
    assert "Billable: handled by Consulting" in html
    assert "Production is stopped or data is at risk for many users." in html
    assert 'hx-get="/portal/requests/new/preview/"' in html


def test_preview_of_a_feature_request_says_consulting_and_the_rate(client, world):
    client.force_login(world.contact_a)
    response = client.get(reverse("web:portal:preview"), {"type": "feature"})
    html = response.content.decode()
    assert 'data-tone="billable"' in html
    assert "Handled by Consulting, billable at CHF 185.00/h" in html
    assert "accept an estimate before work starts" in html


def test_preview_of_a_usage_question_says_included(client, world):
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:preview"), {"type": "usage"}).content.decode()
    assert "Handled by Customer Services, included in your maintenance." in html


def test_preview_follows_the_customization_picked(client, world):
    custom = make_customization(
        world.customer_a, "Sales", 'Order line: column "Zone"', "customer_unauthorized"
    )
    client.force_login(world.contact_a)
    html = client.get(
        reverse("web:portal:preview"), {"type": "usage", "customization": custom.pk}
    ).content.decode()
    assert 'data-tone="billable"' in html
    assert "Order line: column &quot;Zone&quot;" in html  # escaped, from the stored facts


def test_preview_ignores_another_customers_customization(client, world):
    foreign = make_customization(
        world.customer_b, "Sales", "Secret column", "customer_unauthorized"
    )
    client.force_login(world.contact_a)
    html = client.get(
        reverse("web:portal:preview"), {"type": "usage", "customization": foreign.pk}
    ).content.decode()
    assert 'data-tone="included"' in html and "Secret column" not in html


def test_preview_with_nonsense_input_is_neutral_not_an_error(client, world):
    client.force_login(world.contact_a)
    response = client.get(
        reverse("web:portal:preview"),
        {"type": "<script>", "module": "²", "customization": "9" * 30},
    )
    assert response.status_code == 200
    assert 'data-tone="neutral"' in response.content.decode()


def test_preview_without_javascript_keeps_the_form_and_shows_the_decision(client, world):
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(type="training", action="preview"))
    assert response.status_code == 200
    assert "Handled by Consulting" in response.content.decode()
    assert not Ticket.objects.exists()


def test_sending_opens_the_ticket_with_the_previewed_decision(client, world):
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(type="feature"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:portal:detail", args=[ticket.pk])
    assert (ticket.level, ticket.billable, ticket.reason) == (2, True, "feature_request")
    assert ticket.contact == world.contact_a and ticket.channel == "portal"
    page = client.get(response["Location"]).content.decode()
    assert "Why billable?" in page and "CHF 185.00" in page


def test_visibility_defaults_to_the_customers_choice(client, world):
    client.force_login(world.contact_a)
    assert client.get(reverse("web:portal:new")).context["form"]["visibility"].value() == "private"
    world.customer_a.default_visibility = "shared"
    world.customer_a.save()
    html = client.get(reverse("web:portal:new")).content.decode()
    assert _checked(html, "shared") and not _checked(html, "private")


def _checked(html: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*name="visibility"[^>]*value="{value}"[^>]*>', html)
    return bool(tag) and "checked" in tag.group(0)


def test_missing_fields_are_reported_next_to_each_field(client, world):
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(type="", subject="", description=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="field-error"') >= 3
    assert not Ticket.objects.exists()


def test_customization_of_another_module_is_refused_next_to_the_field(client, world):
    custom = make_customization(world.customer_a, "Sales", "Zone column", "vendor")
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(customization=custom.pk))
    assert response.status_code == 400
    assert "This customization is in Sales" in response.content.decode()


def test_another_customers_customization_cannot_be_posted(client, world):
    foreign = make_customization(world.customer_b, "Finance", "Secret", "vendor")
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(customization=foreign.pk))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_attachments_are_stored_with_hash_size_and_type(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.contact_a)
    upload = SimpleUploadedFile("error.txt", b"Error 4711\n", content_type="text/html")
    response = client.post(reverse("web:portal:new"), {**_form(), "attachments": [upload]})
    assert response.status_code == 302
    stored = Attachment.objects.get()
    assert stored.size == 11 and stored.content_type == "text/plain"
    assert stored.sha256 == hashlib.sha256(b"Error 4711\n").hexdigest()
    assert stored.file.read() == b"Error 4711\n"


@override_settings(PALIER_MAX_ATTACHMENT_BYTES=10)
def test_a_file_over_the_limit_is_refused_next_to_the_field(client, world):
    client.force_login(world.contact_a)
    upload = SimpleUploadedFile("big.txt", b"x" * 11)
    response = client.post(reverse("web:portal:new"), {**_form(), "attachments": [upload]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "is too large" in html and "big.txt" in html
    assert not Ticket.objects.exists()


def test_an_html_file_is_refused_by_type(client, world):
    client.force_login(world.contact_a)
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>")
    response = client.post(reverse("web:portal:new"), {**_form(), "attachments": [upload]})
    assert response.status_code == 400
    assert "are not accepted" in response.content.decode()


def test_expired_customer_sees_the_end_date_instead_of_the_form(client, world):
    client.force_login(world.contact_expired)
    end = world.customer_expired.contracts.get().end
    html = client.get(reverse("web:portal:new")).content.decode()
    assert "Your maintenance contract ended on" in html
    from django.utils import formats

    assert formats.date_format(end, "DATE_FORMAT") in html
    assert 'name="subject"' not in html


def test_the_refusal_in_the_portal_promises_nothing_about_a_request_never_sent(client, world):
    client.force_login(world.contact_expired)
    for page in ("web:portal:new", "web:portal:home"):
        html = client.get(reverse(page)).content.decode()
        assert "Your maintenance contract ended on" in html
        assert "has been kept" not in html
        assert "you can open requests here again once your contract is active" in html
        assert "please contact your account manager" in html


def test_a_mailed_request_refused_is_still_told_it_was_kept():
    from palier.tickets.explanations import refusal_text

    assert "your request has been kept" in refusal_text("suspended", None)
    assert "has been kept" not in refusal_text("suspended", None, kept=False)


def test_expired_customer_cannot_post_a_request_either(client, world):
    client.force_login(world.contact_expired)
    response = client.post(reverse("web:portal:new"), _form())
    assert response.status_code == 403
    assert not Ticket.objects.exists()
    assert "has been kept" not in response.content.decode()


def test_staff_are_sent_away_from_the_portal(client, world):
    client.force_login(world.agent)
    assert client.get(reverse("web:portal:new")).status_code == 302


def test_the_versions_offered_are_listed_as_versions(client, world):
    from palier.customers.models import Product, ProductVersion

    erp = Product.objects.get(code="erp")
    for number in ("11.10", "11.9", "11.4.0-rc1", "11.4.0"):
        ProductVersion.objects.create(product=erp, number=number)
    client.force_login(world.contact_a)
    html = client.get(reverse("web:portal:new")).content.decode()
    select = html[html.index('name="product_version"') :]
    select = select[: select.index("</select>")]
    shown = re.findall(r"<option value=\"\d+\"[^>]*>[^<]*?(\d[\w.\-]*)\s*</option>", select)
    assert shown.index("11.4.0-rc1") < shown.index("11.4.0") < shown.index("11.9")
    assert shown.index("11.9") < shown.index("11.10")


def test_a_subject_of_only_invisible_characters_is_refused_on_the_form(client, world):
    client.force_login(world.contact_a)
    response = client.post(reverse("web:portal:new"), _form(subject="\u200b\u200e\u202e"))
    html = response.content.decode()
    assert response.status_code == 400  # the form again, as for any field it refuses
    assert "this text holds only invisible characters" in html
    assert "We cannot find the setting." in html  # what was typed stays
    assert not Ticket.objects.exists()
