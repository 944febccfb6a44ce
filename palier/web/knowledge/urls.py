from django.urls import path

from palier.web.knowledge import agent, manage, views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("suggest/", views.suggest, name="suggest"),
    path("articles/<slug:key>/", views.article, name="article"),
    path("articles/<slug:key>/answered/", views.answered, name="answered"),
    path("manage/", manage.article_list, name="manage"),
    path("manage/new/", manage.new_article, name="new"),
    path("manage/deflection/", manage.deflection, name="deflection"),
    path("manage/from-ticket/<int:ticket_id>/", manage.from_ticket, name="from_ticket"),
    path("manage/<slug:key>/", manage.article_detail, name="detail"),
    path("manage/<slug:key>/<str:language>/", manage.edit_translation, name="edit"),
    path("manage/<slug:key>/<str:language>/<str:step>/", manage.move, name="move"),
    path("desk/insert/<int:ticket_id>/", agent.insert, name="insert"),
    path("desk/triage/<int:ticket_id>/", agent.triage_panel, name="triage"),
]
