from django.contrib import admin

from palier.workspace.models import SavedView


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "shared"]
    list_filter = ["shared"]
