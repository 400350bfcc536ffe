from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from traceability.readonly_admin import ReadOnlyAdmin

from .models import Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "organisation", "stakeholder_kind", "country", "is_staff")
    list_filter = ("stakeholder_kind", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name", "organisation")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "organisation", "stakeholder_kind", "country", "notify_updates", "language")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "anonymised_at")}),
    )
    readonly_fields = ("anonymised_at",)
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox, read-only: failed mail stays here; `manage.py resend_notifications --failed` resends it."""

    list_display = ("pk", "kind", "recipient", "status", "attempts", "created_at", "sent_at", "next_attempt_at")
    list_filter = ("status", "kind")
    search_fields = ("pk",)
    list_select_related = ("recipient",)
    readonly_fields = (
        "recipient",
        "kind",
        "template",
        "context",
        "language",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "updated_at",
    )
