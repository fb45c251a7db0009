"""The base of every Wagtail document form (WAGTAILDOCS_DOCUMENT_FORM_BASE): uploads are checked before saving.

Wagtail builds the single-upload, edit, chooser-upload and multiple-upload forms from this base, so each of
them refuses an unsafe file before a row or a file is written.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from .upload_safety import check_upload


class LibraryDocumentForm(BaseDocumentForm):
    detected_kind: str | None = None

    def clean_file(self):
        file = self.cleaned_data.get("file")
        # On the edit form an unchanged file is the stored FieldFile: only a new upload is checked.
        if isinstance(file, UploadedFile):
            self.detected_kind = check_upload(file)
        return file

    def _update_errors(self, errors):
        """Keep model errors about the file from crashing a form without a file field.

        Wagtail's multiple upload keeps a file whose details are missing as an UploadedFile (after this form's
        clean_file accepted it) and then validates a details form without a "file" field, attaching the file
        only after validation. The model's extension check (AbstractDocument.clean) then reports on "file", and
        Django raises ValueError for an error on a field the form lacks: a server error for the editor.
        """
        if "file" in self.fields or not hasattr(errors, "error_dict") or "file" not in errors.error_dict:
            return super()._update_errors(errors)
        remaining = {field: messages for field, messages in errors.error_dict.items() if field != "file"}
        if self.instance.file:
            # A stored file the model finds wrong: say so, on the form as a whole.
            remaining.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict["file"])
        # else: no file yet — the one waiting was checked by check_upload when it was uploaded.
        if remaining:
            super()._update_errors(ValidationError(remaining))
        return None
