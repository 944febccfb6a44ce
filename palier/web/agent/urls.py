from django.urls import path

from palier.web.agent.views import intake, macros, notifications, queues, ticket

app_name = "agent"

urlpatterns = [
    path("", queues.queue, name="home"),
    path("bulk/", queues.bulk, name="bulk"),
    path("views/", queues.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", queues.delete_view, name="delete_view"),
    path("new/", intake.new_ticket, name="new_ticket"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("notifications/digest/", notifications.digest, name="notifications_digest"),
    path("macros/", macros.macro_list, name="macros"),
    path("macros/new/", macros.macro_edit, name="macro_new"),
    path("macros/<int:macro_id>/", macros.macro_edit, name="macro_edit"),
    path("macros/<int:macro_id>/delete/", macros.macro_delete, name="macro_delete"),
    path("tickets/<int:ticket_id>/", ticket.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/update/", ticket.update, name="update"),
    path("tickets/<int:ticket_id>/presence/", ticket.presence, name="presence"),
    path("tickets/<int:ticket_id>/preview/", ticket.change_preview, name="change_preview"),
    path("tickets/<int:ticket_id>/macro/", ticket.apply_macro, name="macro"),
    path("tickets/<int:ticket_id>/<slug:action>/", ticket.ticket_action, name="action"),
]
