"""The import screen's dry run in a real browser: a file with errors is checked, every
problem is listed by line and column, nothing is written until the manager imports."""

from __future__ import annotations

import pytest
from django.conf import settings

from palier.customers.models import Customer
from palier.web.tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
    pytest.mark.usefixtures("transactional_db_with_search"),
]

FILE = (
    "Numéro de client;Nom;Langue;Pays\r\n"
    "40001;Fromagerie du Jura SA;français;CH\r\n"
    "40002;Atelier Léman Sàrl;klingon;CH\r\n"
    "40001;Fromagerie du Jura SA;fr;CH\r\n"
    "40003;;fr;ZZ\r\n"
).encode("cp1252")


def test_the_dry_run_lists_every_error_then_the_import_writes_the_good_rows(
    browser, live_server, world, shoot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    violations: list[str] = []
    context = browser.new_context(locale="fr", base_url=live_server.url)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto("/login/")
    page.fill("#id_username", world.manager.email)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/manage/imports/")
    page.select_option("select[name=kind]", "customers")
    path = tmp_path / "clients.csv"
    path.write_bytes(FILE)
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-upload button[type=submit]")
    page.wait_for_selector("#import-problems")
    rows = [
        [cell.strip() for cell in row.split("\t")]
        for row in page.locator("#import-problems tbody").inner_text().splitlines()
    ]
    assert rows[0][:2] == ["3", "Langue"]
    assert rows[1][:2] == ["4", "Numéro de client"]
    assert {tuple(r[:2]) for r in rows[2:]} == {("5", "Nom"), ("5", "Pays")}
    shoot(page, "import-dry-run")
    assert not Customer.objects.filter(reference__startswith="400").exists()

    page.click("#import-start")
    page.wait_for_selector("#import-counts >> text=1", timeout=15_000)
    page.wait_for_function(
        "() => !document.querySelector('#import-status').hasAttribute('hx-get')",
        timeout=15_000,
    )
    assert list(
        Customer.objects.filter(reference__startswith="400").values_list("name", flat=True)
    ) == ["Fromagerie du Jura SA"]
    assert violations == []
    context.close()
