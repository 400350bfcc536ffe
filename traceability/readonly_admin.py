"""An admin that only reads: for records that change through the services alone."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows records without letting the admin add, change or delete them.

    Dispositions change through the workspace, which records history; document versions
    through the import, which numbers them and keeps clause links valid.
    """

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
