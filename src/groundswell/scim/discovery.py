"""Discovery documents (RFC 7643 sections 5 to 7): what this server supports, its resource types and their schemas.

The schemas list only the attributes Groundswell keeps; an identity provider may send others (phone
numbers, addresses…), which are accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from groundswell.scim.resources import (
    ENTERPRISE_SCHEMA,
    GROUP_SCHEMA,
    MAX_PAGE,
    RESOURCE_TYPE_SCHEMA,
    SCHEMA_SCHEMA,
    SPC_SCHEMA,
    USER_SCHEMA,
    base_url,
)


def _attr(
    name: str,
    type_: str = "string",
    *,
    description: str = "",
    multi: bool = False,
    required: bool = False,
    case_exact: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    sub: list[dict[str, Any]] | None = None,
    reference_types: list[str] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if type_ in ("string", "reference", "binary"):
        attribute["caseExact"] = case_exact
        attribute["uniqueness"] = uniqueness
    if sub is not None:
        attribute["subAttributes"] = sub
    if reference_types is not None:
        attribute["referenceTypes"] = reference_types
    return attribute


def _schema(schema_id: str, name: str, description: str, attributes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": schema_id,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{base_url()}/Schemas/{schema_id}"},
    }


def user_schema() -> dict[str, Any]:
    return _schema(
        USER_SCHEMA,
        "User",
        "A member of the workspace",
        [
            _attr("userName", required=True, uniqueness="server", description="Unique within the workspace."),
            _attr(
                "displayName",
                mutability="immutable",
                description="Set when the member is created; afterwards the member's own (later values are ignored).",
            ),
            _attr(
                "name",
                "complex",
                mutability="immutable",
                sub=[
                    _attr("formatted", mutability="immutable"),
                    _attr("givenName", mutability="immutable"),
                    _attr("familyName", mutability="immutable"),
                ],
                description="Used for the display name when displayName is not given (at creation only).",
            ),
            _attr(
                "title",
                mutability="immutable",
                description="Job title, set when the member is created; afterwards the member's own.",
            ),
            _attr("active", "boolean", description="false deactivates the member; their history stays."),
            _attr(
                "emails",
                "complex",
                multi=True,
                required=True,
                mutability="immutable",
                description="The work email; it identifies the member's account and cannot change.",
                sub=[
                    _attr("value", required=True, mutability="immutable"),
                    _attr("type", mutability="immutable"),
                    _attr("primary", "boolean", mutability="immutable"),
                ],
            ),
            _attr(
                "groups",
                "complex",
                multi=True,
                mutability="readOnly",
                description="The member's department.",
                sub=[
                    _attr("value", mutability="readOnly"),
                    _attr("$ref", "reference", mutability="readOnly", reference_types=["Group"]),
                    _attr("display", mutability="readOnly"),
                    _attr("type", mutability="readOnly"),
                ],
            ),
        ],
    )


def enterprise_schema() -> dict[str, Any]:
    return _schema(
        ENTERPRISE_SCHEMA,
        "EnterpriseUser",
        "Enterprise User",
        [
            _attr("employeeNumber", case_exact=True, description="The HR system's identifier; unique."),
            _attr("department", description="Department name; created when it does not exist."),
            _attr(
                "manager",
                "complex",
                sub=[
                    _attr("value", description="The manager's SCIM id."),
                    _attr("$ref", "reference", reference_types=["User"]),
                ],
            ),
        ],
    )


def group_schema() -> dict[str, Any]:
    return _schema(
        GROUP_SCHEMA,
        "Group",
        "A department of the workspace",
        [
            _attr("displayName", required=True, uniqueness="server"),
            _attr(
                "members",
                "complex",
                multi=True,
                description="A member is in one department at a time: adding them here moves them.",
                sub=[
                    _attr("value", mutability="immutable"),
                    _attr("$ref", "reference", mutability="immutable", reference_types=["User"]),
                    _attr("display", mutability="readOnly"),
                    _attr("type", mutability="immutable"),
                ],
            ),
        ],
    )


def schemas() -> list[dict[str, Any]]:
    return [user_schema(), enterprise_schema(), group_schema()]


def resource_types() -> list[dict[str, Any]]:
    root = base_url()
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "Members of the workspace",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{root}/ResourceTypes/User"},
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Departments of the workspace",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{root}/ResourceTypes/Group"},
        },
    ]


def service_provider_config() -> dict[str, Any]:
    return {
        "schemas": [SPC_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_PAGE},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A SCIM token created by a program admin on the workspace's “SCIM provisioning” page.",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base_url()}/ServiceProviderConfig"},
    }
