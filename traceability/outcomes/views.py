from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from traceability.consultations.access import get_organised_process, get_visible_process

from .forms import ImportForm
from .models import DocumentVersion
from .parsing import DocumentError
from .services import version_import


@require_safe
def document(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    versions = list(
        DocumentVersion.objects.filter(process=process).only("id", "number", "label", "status", "created_at")
    )
    version = versions[0] if versions else None
    wanted = request.GET.get("version", "")
    if wanted:
        version = next((v for v in versions if str(v.number) == wanted), None)
        if version is None:
            return render(
                request,
                "outcomes/document.html",
                {"process": process, "versions": versions, "missing": wanted},
                status=404,
            )
    clauses = version.clauses.all() if version else []
    return render(
        request,
        "outcomes/document.html",
        {"process": process, "versions": versions, "version": version, "clauses": clauses},
    )


@login_required
def import_version(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = version_import(
                process=process,
                source=form.cleaned_data["source"],
                label=form.cleaned_data["label"],
                status=form.cleaned_data["status"],
                created_by=request.user,
            )
        except DocumentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Imported %(label)s with %(count)d clauses.") % {"label": version.label, "count": len(form.parsed)},
            )
            return redirect("outcomes:document", slug=process.slug)
    return render(request, "outcomes/import.html", {"process": process, "form": form})
