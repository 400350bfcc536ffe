from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import content_languages
from .models import TRANSLATED_FIELDS, HistoryHead, Process, StakeholderGroup, Submission
from .services import process_create_default_groups


def _translation_field(code: str, field: str) -> str:
    return f"translation_{code.replace('-', '_')}_{field}"


def _translation_fields() -> dict[str, forms.Field]:
    """A field per interface language and translated text, named ``translation_<code>_<field>``."""
    fields: dict[str, forms.Field] = {}
    for code, _name in settings.LANGUAGES:
        for field in TRANSLATED_FIELDS:
            model_field = Process._meta.get_field(field)
            attrs = {"dir": "auto", "lang": code}
            widget = (
                forms.Textarea(attrs={**attrs, "rows": 3})
                if isinstance(model_field, models.TextField)
                else forms.TextInput(attrs={**attrs, "size": 80})
            )
            fields[_translation_field(code, field)] = forms.CharField(
                label=model_field.verbose_name, required=False, max_length=model_field.max_length, widget=widget
            )
    return fields


class _ProcessAdminForm(forms.ModelForm):
    original_language = forms.ChoiceField(
        label=_("Original language"),
        choices=lambda: content_languages.choices(),
        initial=settings.LANGUAGE_CODE,
        # Left out, it stays as it was (the site's language for a new process).
        required=False,
        help_text=_("The language the title, summary and description above are written in."),
    )

    class Meta:
        model = Process
        # Edited through the translation fields below, one per language and text.
        exclude = ["translations"]  # noqa: DJ006

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        given = self.instance.translations or {}
        for code, _name in settings.LANGUAGES:
            for field in TRANSLATED_FIELDS:
                self.initial.setdefault(_translation_field(code, field), given.get(code, {}).get(field, ""))

    def clean_original_language(self) -> str:
        return self.cleaned_data["original_language"] or self.instance.original_language or settings.LANGUAGE_CODE

    def clean(self) -> dict[str, object]:
        data = super().clean()
        original = data.get("original_language", self.instance.original_language)
        translations: dict[str, dict[str, str]] = {}
        for code, _name in settings.LANGUAGES:
            texts = {
                field: text
                for field in TRANSLATED_FIELDS
                if (text := (data.get(_translation_field(code, field)) or "").strip())
            }
            if texts and code == original:
                for field in texts:
                    self.add_error(
                        _translation_field(code, field),
                        _("This is the original language: write its texts in the fields above."),
                    )
            elif texts:
                translations[code] = texts
        self.instance.translations = translations
        return data


# The process, with its title, summary and descriptions in each interface language (kept in Process.translations;
# a field left blank shows the original to readers of that language). Declared fields, so the admin's fieldsets
# may name them.
ProcessAdminForm = type("ProcessAdminForm", (_ProcessAdminForm,), _translation_fields())


@admin.display(description=_("Translations"))
def _translated_into(process: Process) -> str:
    return ", ".join(sorted(process.translations or {})) or "—"


class StakeholderGroupInline(admin.TabularInline):
    model = StakeholderGroup
    extra = 0
    fields = ("name", "kind", "position")


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    form = ProcessAdminForm
    list_display = ("code", "title", "original_language", _translated_into, "opens_at", "closes_at", "published_at")
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

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The process's own fields first, then one folded section per interface language for its translations.
        (_name, options), *_rest = super().get_fieldsets(request, obj)
        own = [name for name in options["fields"] if not name.startswith("translation_")]
        sections = [(None, {"fields": own})]
        for code, name in settings.LANGUAGES:
            info = translation.get_language_info(code)
            sections.append(
                (
                    _("In %(language)s (%(local)s)") % {"language": name, "local": info["name_local"]},
                    {
                        "classes": ["collapse"],
                        "fields": [_translation_field(code, field) for field in TRANSLATED_FIELDS],
                        "description": _("Leave a field blank to show the original to readers of this language."),
                    },
                )
            )
        return sections

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.save()
            return
        # Write only what the form edits: saving every column would write back the receipt counter
        # and the report's cache version as they were when the form was opened, and submissions
        # filed meanwhile would then collide with a number already used.
        changed = [name for name in form.changed_data if name in {f.name for f in obj._meta.concrete_fields}]
        if any(name.startswith("translation_") for name in form.changed_data):
            changed.append("translations")
        obj.save(update_fields=changed)

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
