"""Where private uploads live: story images and videos are for the workspace's members, not the public.

``/media/`` serves uploaded item images to anyone (link cards need them). Anything only members may see is
stored in the ``private`` storage (``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``) and served by a view that
checks the member's access first (and, for a video shared outside as an item, the share's public page).
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The storage for members-only files (a callable, so tests that change STORAGES take effect)."""
    return storages["private"]
