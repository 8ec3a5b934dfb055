"""Where private uploads live: story images, lesson images and videos are for the workspace's members.

``/media/`` serves uploaded item images to anyone (link cards need them). Anything only members may see is
stored in the ``private`` storage (``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``) and served by a view that
checks the member's access first (and, for a video shared outside as an item, the share's public page).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import Http404, HttpResponse
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, followed when the setting changes (as the default storage follows
    ``MEDIA_ROOT``), and without a URL: a private file is only ever served by an access-checked view."""

    @cached_property
    def base_location(self) -> Any:
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)  # type: ignore[attr-defined]

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)  # type: ignore[arg-type]
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no public address: serve it through an access-checked view.")


def private_storage() -> Storage:
    """The storage for members-only files (``STORAGES["private"]``)."""
    return storages["private"]


#: Pillow's format names of the images we take, with the extension and type they are stored and served as.
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "GIF": ("gif", "image/gif"),
                 "WEBP": ("webp", "image/webp")}  # fmt: skip


def rename_image_upload(upload: Any) -> Any:
    """Give an uploaded image (already opened by an ImageField: ``upload.image``) a random name with the
    extension of what it really is, so the uploader's file name (``x.pdf``, ``../``) never decides how it is
    stored or served. Returns the same upload object."""
    fmt = getattr(getattr(upload, "image", None), "format", None)
    extension = IMAGE_FORMATS.get(str(fmt), ("bin", ""))[0]
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    return upload


def image_content_type(name: str) -> str:
    """The type to serve a stored image with, from the extension ``rename_image_upload`` gave it."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = "jpg" if extension == "jpeg" else extension
    for ext, content_type in IMAGE_FORMATS.values():
        if ext == extension:
            return content_type
    return "application/octet-stream"


def private_image_response(storage: Storage, name: str | None) -> HttpResponse:
    """A members-only image (story or lesson), after the caller checked access: read whole (images are at most
    ``MAX_IMAGE_UPLOAD_BYTES``), typed by what it is, cached only by the member's browser. 404 when it is gone."""
    if not name:
        raise Http404("Not found")
    try:
        with storage.open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404("Not found") from None
    response = HttpResponse(content, content_type=image_content_type(name))
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
