from django.contrib import admin

from traceability.readonly_admin import ReadOnlyAdmin

from .models import DecisionRevision, Disposition, Response


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


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """Replies and answers change through the trace page and the contest queue only."""

    list_display = ("revision", "kind", "responded_at", "answered_at")
    list_filter = ("kind",)
    list_select_related = ("revision",)
