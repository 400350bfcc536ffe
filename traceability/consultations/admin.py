from django.contrib import admin

from .models import Process, StakeholderGroup, Submission
from .services import process_create_default_groups


class StakeholderGroupInline(admin.TabularInline):
    model = StakeholderGroup
    extra = 0
    fields = ("name", "kind", "position")


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "opens_at", "closes_at", "published_at")
    search_fields = ("code", "title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("organisers",)
    inlines = [StakeholderGroupInline]
    readonly_fields = ("last_number", "created_at")

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        # A new process without groups gets the six default groups.
        if not change and not form.instance.groups.exists():
            process_create_default_groups(process=form.instance)
        form.instance.touch()  # group names and dates appear in the report


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "process", "stakeholder_group", "country", "received_at", "withdrawn_at")
    list_filter = ("process",)
    search_fields = ("reference", "title")
    list_select_related = ("process", "stakeholder_group")
    raw_id_fields = ("author", "stakeholder_group")
    readonly_fields = ("process", "number", "reference", "text_sha256", "received_at", "form_token")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Submissions get their receipt number from the filing service only.
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A receipt, once issued, stays on the record; authors withdraw instead.
        return False
