from django.urls import path
from django.views.generic import RedirectView

from palier.web.manage import catalogue, exports, imports, people, webhooks

app_name = "manage"

urlpatterns = [
    # The section's address leads to its first page (which checks who may see it).
    path("", RedirectView.as_view(pattern_name="web:manage:people"), name="home"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:person_id>/", people.person_detail, name="person"),
    path("people/<int:person_id>/<str:action>/", people.person_action, name="person_action"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/products/new/", catalogue.product_new, name="product_new"),
    path(
        "catalogue/products/<int:product_id>/modules/new/",
        catalogue.module_form,
        name="module_new",
    ),
    path("catalogue/modules/<int:module_id>/", catalogue.module_form, name="module"),
    path(
        "catalogue/products/<int:product_id>/versions/new/",
        catalogue.version_form,
        name="version_new",
    ),
    path("catalogue/versions/<int:version_id>/", catalogue.version_form, name="version"),
    path("catalogue/installations/", catalogue.installations, name="installations"),
    path(
        "catalogue/installations/<int:installation_id>/remove/",
        catalogue.installation_remove,
        name="installation_remove",
    ),
    path("imports/", imports.imports_index, name="imports"),
    path("imports/types/", imports.type_mappings, name="type_mappings"),
    path("imports/<int:run_id>/", imports.import_run, name="import_run"),
    path("imports/<int:run_id>/start/", imports.import_start, name="import_start"),
    path("imports/<int:run_id>/problems.csv", imports.import_problems, name="import_problems"),
    path(
        "imports/templates/<str:kind>-<str:language>.<str:fmt>",
        imports.import_template,
        name="import_template",
    ),
    path("export/", exports.export_page, name="export"),
    path("export/<str:fmt>/", exports.export_download, name="export_download"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_id>/", webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:webhook_id>/secret/", webhooks.webhook_rotate, name="webhook_rotate"),
    path(
        "webhooks/deliveries/<int:delivery_id>/retry/",
        webhooks.delivery_retry,
        name="delivery_retry",
    ),
]
