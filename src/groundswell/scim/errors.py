"""SCIM errors (RFC 7644 §3.12): raised anywhere below a SCIM view, answered as an Error message."""

from __future__ import annotations

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """An error for the identity provider: an HTTP status, an optional ``scimType`` and a detail to read."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def invalid_syntax(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidSyntax")


def invalid_path(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidPath")


def no_target(detail: str) -> ScimError:
    return ScimError(400, detail, "noTarget")


def uniqueness(detail: str) -> ScimError:
    return ScimError(409, detail, "uniqueness")


def mutability(detail: str) -> ScimError:
    return ScimError(400, detail, "mutability")


def not_found(resource: str = "resource") -> ScimError:
    return ScimError(404, f"No such {resource} in this workspace.")
