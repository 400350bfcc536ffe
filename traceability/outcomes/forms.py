from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import VersionStatus
from .parsing import DocumentError, ParsedClause, parse_document


class ImportForm(forms.Form):
    label = forms.CharField(
        label=_("Version label"), max_length=120, help_text=_("For example: Zero draft, Final text.")
    )
    status = forms.ChoiceField(label=_("Status"), choices=VersionStatus.choices, initial=VersionStatus.DRAFT)
    text = forms.CharField(
        label=_("Paste the text"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text or Markdown. Headings (# ...) become sections; 1., 1.2 and (a) become clauses."),
    )
    upload = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=_("A UTF-8 .txt or .md file, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,text/plain,text/markdown"}),
    )

    def clean_upload(self) -> str:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return ""
        if upload.size > settings.OUTCOME_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not valid UTF-8 text. Save it as UTF-8 and try again.")
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The file contains binary data, not text."))
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
            self.parsed: list[ParsedClause] = parse_document(source)
        except DocumentError as error:
            raise forms.ValidationError(str(error)) from None
        data["source"] = source
        return data
