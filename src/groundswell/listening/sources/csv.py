"""CSV import: an admin uploads posts gathered elsewhere (an export of another tool, a press clipping list).

The source is never polled; each upload goes through the same pipeline as fetched posts
(``listening.csv_import`` parses and checks the file).
"""

from __future__ import annotations

from typing import Any

from groundswell.listening.sources.base import Credential, FetchResult


class CsvPlugin:
    kind: str = "csv"

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if config:
            raise ValueError("a CSV import has no settings: upload a file on the source's page")
        return {}

    def credential_network(self, config: dict[str, Any]) -> str | None:
        return None

    def fetch(
        self, config: dict[str, Any], cursor: dict[str, Any], *, limit: int, credential: Credential | None = None
    ) -> FetchResult:
        return FetchResult([], dict(cursor))
