from django.contrib import admin

from .models import Clause, DocumentVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Versions come from the import, which numbers them and keeps clause links valid; the admin only reads."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DocumentVersion)
class DocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("process", "number", "label", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("created_at",)


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ("eid", "label", "kind", "version")
    search_fields = ("eid", "label", "heading")
    raw_id_fields = ("version", "parent")
