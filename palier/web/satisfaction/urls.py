from django.urls import path

from palier.web.satisfaction import views

app_name = "satisfaction"

urlpatterns = [
    path("s/<str:token>/", views.survey_link, name="link"),
    path("surveys/<int:survey_id>/answer/", views.answer_on_portal, name="answer"),
]
