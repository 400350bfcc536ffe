from django.contrib import admin

from traceability.readonly_admin import ReadOnlyAdmin

from .models import DecisionRevision, Disposition


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "kind", "extent", "ground", "decided_at")
    list_filter = ("kind", "ground")
    list_select_related = ("submission",)


@admin.register(DecisionRevision)
class DecisionRevisionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "number", "change", "kind", "decided_at")
    list_filter = ("change", "kind")
    list_select_related = ("submission",)
