from django.contrib import admin

from .models import Disposition, DispositionEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Dispositions change through the workspace, which records history; the admin only reads."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "extent", "ground", "decided_at")
    list_filter = ("kind", "ground")
    list_select_related = ("submission",)


@admin.register(DispositionEvent)
class DispositionEventAdmin(ReadOnlyAdmin):
    list_display = ("submission", "action", "actor_role", "at")
    list_select_related = ("submission",)
