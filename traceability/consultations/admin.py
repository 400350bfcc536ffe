from django.contrib import admin
from django.utils.translation import ngettext

from .models import HistoryHead, Process, StakeholderGroup, Submission
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
    # Publishing freezes the report and needs the coverage gate, which only a service may check;
    # the counters belong to the filing service.
    readonly_fields = ("published_at", "last_number", "stats_version", "created_at")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Once the process is public its address and receipt prefix are cited: they never change.
        if obj is not None and obj.is_public():
            return (*self.readonly_fields, "slug", "code")
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return {} if obj is not None and obj.is_public() else self.prepopulated_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.save()
            return
        # Write only what the form edits: saving every column would write back the receipt counter
        # and the report's cache version as they were when the form was opened, and submissions
        # filed meanwhile would then collide with a number already used.
        obj.save(
            update_fields=[name for name in form.changed_data if name in {f.name for f in obj._meta.concrete_fields}]
        )

    def get_deleted_objects(self, objs, request):  # type: ignore[no-untyped-def]
        # A process with history cannot be deleted: its events and decisions are append-only in the database
        # (consultations.history). Listed as protected, the admin explains it instead of failing on the trigger.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        heads = HistoryHead.objects.filter(process__in=[obj.pk for obj in objs], entries__gt=0).select_related(
            "process"
        )
        kept = [
            ngettext(
                "The history of %(process)s (%(count)d entry) is append-only.",
                "The history of %(process)s (%(count)d entries) is append-only.",
                head.entries,
            )
            % {"process": head.process.code, "count": head.entries}
            for head in heads
        ]
        return deleted, counts, perms_needed, [*protected, *kept]

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

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The receipt's fingerprint, the history and the report's numbers stay true only if the text
        # changes through the author's own edit, while the process is open.
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A receipt, once issued, stays on the record; authors withdraw instead.
        return False
