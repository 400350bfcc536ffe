from django.contrib import admin

from traceability.readonly_admin import ReadOnlyAdmin

from .models import Clause, DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("process", "number", "label", "status", "created_at", "adopted_at")
    list_filter = ("status",)
    readonly_fields = ("created_at",)


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ("eid", "label", "kind", "version", "identity")
    search_fields = ("eid", "label", "heading")
    raw_id_fields = ("version", "parent", "identity")
