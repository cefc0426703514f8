"""Uploaded files past the largest size any form accepts are counted, not kept.

Django writes an uploaded file to memory or to a temporary file as it arrives, and a form can only
look at its size once the whole of it is stored: a 5 GB upload would fill the disk first. The
first upload handler (``FILE_UPLOAD_HANDLERS``) passes each file's chunks on to the usual handlers
until ``UPLOAD_MAX_BYTES``, then keeps reading (so the rest of the form still arrives, CSRF token
included) but stores nothing more, and hands the form an empty ``OversizeUpload`` that carries the
file's true size. The form's own size check then refuses it with its usual field error, and the page
is sent back with that error instead of a 413 or a 500.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizeUpload(UploadedFile):
    """An uploaded file that was too large to keep: no content, and ``size`` the bytes that arrived."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class UploadLimitHandler(FileUploadHandler):
    """Stores no byte of a file past ``UPLOAD_MAX_BYTES``; see the module's docstring."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            return None  # the handlers after this one never see it
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.UPLOAD_MAX_BYTES:
            return OversizeUpload(self.file_name, self.content_type, self.received, self.charset)
        return None  # the next handler's stored file
