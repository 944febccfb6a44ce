from django.urls import path

from palier.web.agent.views import intake, queues, ticket

app_name = "agent"

urlpatterns = [
    path("", queues.queue, name="home"),
    path("views/", queues.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", queues.delete_view, name="delete_view"),
    path("new/", intake.new_ticket, name="new_ticket"),
    path("tickets/<int:ticket_id>/", ticket.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/presence/", ticket.presence, name="presence"),
    path("tickets/<int:ticket_id>/preview/", ticket.change_preview, name="change_preview"),
    path("tickets/<int:ticket_id>/<slug:action>/", ticket.ticket_action, name="action"),
]
