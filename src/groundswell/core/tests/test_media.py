from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_uploaded_images_are_served_and_traversal_is_refused(client: Client) -> None:
    folder = Path(settings.MEDIA_ROOT) / "items"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    response = client.get("/media/items/cover.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get("/media/../settings.py").status_code in (400, 404)
    assert client.get("/media/items/missing.png").status_code == 404
