from django.contrib import admin

from palier.engineering.models import Defect, DefectLink, Patch


class DefectLinkInline(admin.TabularInline):
    model = DefectLink
    extra = 0
    raw_id_fields = ("ticket",)
    readonly_fields = ("linked_by", "linked_at", "notified_patch")


@admin.register(Defect)
class DefectAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "module", "severity", "status", "fixed_in")
    list_filter = ("status", "severity")
    search_fields = ("title",)
    inlines = [DefectLinkInline]
    filter_horizontal = ("affected_versions",)


@admin.register(Patch)
class PatchAdmin(admin.ModelAdmin):
    list_display = ("version", "released_at")
    readonly_fields = ("released_at", "released_by")
