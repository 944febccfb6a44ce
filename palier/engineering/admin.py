"""Defects and patches are worked in the R&D screens and the API, through the actions that
move linked tickets and tell customers; the admin shows them."""

from django.contrib import admin

from palier.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from palier.engineering.models import Defect, DefectLink, Patch


class DefectLinkInline(ReadOnlyInline):
    model = DefectLink
    raw_id_fields = ("ticket",)


@admin.register(Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "module", "severity", "status", "fixed_in")
    list_filter = ("status", "severity")
    search_fields = ("title",)
    inlines = [DefectLinkInline]


@admin.register(Patch)
class PatchAdmin(ReadOnlyAdmin):
    list_display = ("version", "released_at")
