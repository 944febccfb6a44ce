from django.urls import path

from palier.web.engineering import views

app_name = "engineering"

urlpatterns = [
    path("", views.defect_list, name="defects"),
    path("<int:defect_id>/", views.defect_detail, name="defect"),
    path("patches/new/", views.patch_new, name="patch_new"),
    path("patches/<int:patch_id>/", views.patch_detail, name="patch"),
    path("patches/<int:patch_id>/release/", views.patch_release, name="patch_release"),
]
