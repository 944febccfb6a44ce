from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from palier.api.errors import outside_api_error
from palier.api.main import api
from palier.web.auth import admin_sign_in
from palier.web.views import bad_request

urlpatterns = [
    # Before the admin's own: one sign-in form for every door (palier/accounts/signin.py).
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("palier.web.urls")),
]

handler400 = outside_api_error(
    bad_request, 400, "bad_request", _("The request is not valid for this server.")
)
handler404 = outside_api_error(
    defaults.page_not_found, 404, "not_found", _("There is nothing at this address.")
)
handler500 = outside_api_error(
    defaults.server_error, 500, "server_error", _("An unexpected error occurred; it was logged.")
)
