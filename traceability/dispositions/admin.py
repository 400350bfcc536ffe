from django.contrib import admin

from traceability.readonly_admin import ReadOnlyAdmin

from .models import Disposition, DispositionEvent


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "extent", "ground", "decided_at")
    list_filter = ("kind", "ground")
    list_select_related = ("submission",)


@admin.register(DispositionEvent)
class DispositionEventAdmin(ReadOnlyAdmin):
    list_display = ("submission", "action", "actor_role", "at")
    list_select_related = ("submission",)
