from django.urls import path

from palier.web.portal import new_request, patch, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", new_request.new_request, name="new"),
    path("requests/new/preview/", new_request.preview, name="preview"),
    path("requests/<int:ticket_id>/", views.request_detail, name="detail"),
    path("requests/<int:ticket_id>/reply/", views.reply, name="reply"),
    path("requests/<int:ticket_id>/status/", views.change_status, name="status"),
    path("requests/<int:ticket_id>/follow/", views.follow, name="follow"),
    path("requests/<int:ticket_id>/deployment/", patch.request_deployment, name="deployment"),
]
