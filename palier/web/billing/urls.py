from django.urls import path

from palier.web.billing import consent, payments, staff

app_name = "billing"

urlpatterns = [
    path("consent/<str:token>/", consent.consent_link, name="consent_link"),
    path("estimates/<int:estimate_id>/", consent.estimate_page, name="estimate"),
    path("estimates/<int:estimate_id>/answer/", consent.answer, name="answer"),
    path("tickets/<int:ticket_id>/estimate/", staff.propose, name="propose"),
    path("time/", staff.time_page, name="time"),
    path("time/timer/", staff.timer, name="timer"),
    path("", staff.dashboard, name="dashboard"),
    path("invoices/", staff.invoice_list, name="invoices"),
    path("invoices/run/", staff.run, name="run"),
    path("invoices/overdue/", payments.overdue, name="overdue"),
    path("invoices/<int:invoice_id>/", staff.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/send/<str:kind>/", payments.send, name="send"),
    path("payments/", payments.payments_page, name="payments"),
    path("payments/<int:payment_id>/match/", payments.match, name="match"),
    path("invoices/<int:invoice_id>/<str:action>/", staff.invoice_action, name="invoice_action"),
]
