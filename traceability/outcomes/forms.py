from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .docx import ZIP_SIGNATURE, docx_to_text
from .models import VersionStatus
from .parsing import DocumentError, ParsedDocument, parse_document

TEXT_EXTENSIONS = (".txt", ".md", ".markdown")
DOCX_EXTENSION = ".docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ImportForm(forms.Form):
    label = forms.CharField(
        label=_("Version label"),
        max_length=120,
        help_text=_("For example: Zero draft, Final text."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=VersionStatus.choices, initial=VersionStatus.DRAFT)
    text = forms.CharField(
        label=_("Paste the text"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto"}),
        help_text=_("Plain text or Markdown. Headings (# ...) become sections; 1., 1.2 and (a) become clauses."),
    )
    upload = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_("A .docx, .txt or .md file, up to 2 MB."),
        error_messages={"empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": f".docx,.txt,.md,.markdown,{DOCX_TYPE},text/plain,text/markdown"}
        ),
    )

    def clean_upload(self) -> str:
        """The uploaded file as the text to parse: a Word document converted, a text file decoded."""
        upload = self.cleaned_data.get("upload")
        if not upload:
            return ""
        extension = PurePath(upload.name or "").suffix.lower()
        if extension != DOCX_EXTENSION and extension not in TEXT_EXTENSIONS:
            if extension:
                message = _("Upload a .docx, .txt or .md file; %(extension)s files are not supported.")
            else:
                message = _("Upload a .docx, .txt or .md file; files without an extension are not supported.")
            raise forms.ValidationError(message % {"extension": extension})
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        # The size is known before a byte is read: a large file is refused without being loaded.
        if upload.size > settings.OUTCOME_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        upload.seek(0)
        raw = upload.read(settings.OUTCOME_UPLOAD_MAX_BYTES + 1)
        if extension == DOCX_EXTENSION:
            if not raw.startswith(ZIP_SIGNATURE):
                raise forms.ValidationError(
                    _("This file is not a Word document (.docx), although its name ends in .docx.")
                )
            try:
                return docx_to_text(raw)
            except DocumentError as error:
                raise forms.ValidationError(str(error)) from None
        if raw.startswith(ZIP_SIGNATURE):
            raise forms.ValidationError(
                _("This file is not a text file, although its name ends in %(extension)s.") % {"extension": extension}
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not valid UTF-8 text. Save it as UTF-8 and try again.")
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The file contains binary data, not text."))
        if not text.strip():
            raise forms.ValidationError(_("The file is empty."))
        return text

    def clean(self) -> dict[str, object]:
        data = super().clean()
        pasted = (data.get("text") or "").replace("\x00", "")
        uploaded = data.get("upload") or ""
        if self.errors:
            return data
        if pasted.strip() and uploaded:
            raise forms.ValidationError(_("Paste the text or upload a file, not both."))
        source = uploaded or pasted
        if not source.strip():
            raise forms.ValidationError(_("Paste the document's text or upload a file."))
        try:
            self.parsed: ParsedDocument = parse_document(source)
        except DocumentError as error:
            raise forms.ValidationError(str(error)) from None
        data["source"] = source
        return data
