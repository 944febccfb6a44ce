from django.urls import path

from palier.web.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.manager_dashboard, name="home"),
    path("me/", views.my_dashboard, name="me"),
    path("tickets/", views.drilldown, name="tickets"),
    path("export/<str:panel>.<str:fmt>", views.export, name="export"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/close/", views.close_follow_up, name="close_follow_up"),
]
