from django.contrib import admin

from traceability.readonly_admin import ReadOnlyAdmin

from .models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("process", "number", "created_at", "sha256", "size")
    list_select_related = ("process",)
    exclude = ("content",)
