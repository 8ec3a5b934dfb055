"""How members and departments look as SCIM resources (RFC 7643), and the discovery documents.

A User's ``id`` is the membership's id, a Group's the department's. ``userName`` is what the identity
provider set (else the member's email), so members who joined before SCIM was switched on can be matched.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from groundswell.scim.errors import invalid_filter, not_found
from groundswell.scim.filters import (
    NOTHING,
    Translate,
    as_pk,
    boolean_field,
    constant_field,
    id_field,
    text_field,
)
from groundswell.workspaces.models import Department, Membership, Workspace

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

MAX_PAGE = 200
DEFAULT_PAGE = 100
#: Group members returned inline; larger departments are listed through /Users?filter=groups.value eq "…".
MAX_GROUP_MEMBERS = 1000


def base_url() -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") + reverse("scim:root").rstrip("/")


# --- Users ----------------------------------------------------------------------------------------


def users(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user", "department", "scim")
        .annotate(scim_user_name=Coalesce("scim__user_name", "user__email", output_field=CharField()))
        .order_by("pk")
    )


USER_FILTERS: dict[str, Translate] = {
    "id": id_field("pk"),
    "username": text_field("scim_user_name"),
    "externalid": text_field("scim__external_id", case_exact=True),
    "displayname": text_field("display_name"),
    "name.formatted": text_field("display_name"),
    "title": text_field("title"),
    "active": boolean_field("is_active"),
    "emails": text_field("user__email"),
    "emails.value": text_field("user__email"),
    "emails.type": constant_field("work"),
    "groups.value": id_field("department_id"),
    "groups": id_field("department_id"),
    "groups.display": text_field("department__name"),
    "enterprise:employeenumber": text_field("employee_id", case_exact=True),
    "enterprise:department": text_field("department__name"),
    "enterprise:manager.value": id_field("manager_id"),
    "enterprise:manager": id_field("manager_id"),
}


def user_name(member: Membership) -> str:
    scim = getattr(member, "scim", None)
    return scim.user_name if scim is not None else member.user.email


def user_location(member: Membership) -> str:
    return f"{base_url()}/Users/{member.pk}"


def group_location(department: Department) -> str:
    return f"{base_url()}/Groups/{department.pk}"


def user_resource(member: Membership) -> dict[str, Any]:
    scim = getattr(member, "scim", None)
    modified = scim.updated_at if scim is not None else member.joined_at
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(member.pk),
        "userName": user_name(member),
        "displayName": member.display_name,
        "name": {"formatted": member.display_name},
        "active": member.is_active,
        "emails": [{"value": member.user.email, "type": "work", "primary": True}],
        "groups": [],
        ENTERPRISE_SCHEMA: {},
        "meta": {
            "resourceType": "User",
            "created": member.joined_at.isoformat(),
            "lastModified": modified.isoformat(),
            "location": user_location(member),
            "version": f'W/"{int(modified.timestamp() * 1000)}-{int(member.is_active)}"',
        },
    }
    if scim is not None and scim.external_id:
        resource["externalId"] = scim.external_id
    if member.title:
        resource["title"] = member.title
    enterprise: dict[str, Any] = resource[ENTERPRISE_SCHEMA]
    if member.employee_id:
        enterprise["employeeNumber"] = member.employee_id
    if member.department is not None:
        enterprise["department"] = member.department.name
        resource["groups"] = [
            {
                "value": str(member.department.pk),
                "display": member.department.name,
                "$ref": group_location(member.department),
                "type": "direct",
            }
        ]
    if member.manager_id is not None:
        enterprise["manager"] = {"value": str(member.manager_id), "$ref": f"{base_url()}/Users/{member.manager_id}"}
    if not enterprise:
        del resource[ENTERPRISE_SCHEMA]
        resource["schemas"] = [USER_SCHEMA]
    return resource


# --- Groups ---------------------------------------------------------------------------------------


def groups(workspace: Workspace) -> QuerySet[Department]:
    return Department.objects.filter(workspace=workspace).select_related("scim").order_by("pk")


def _member_of(op: str | None, value: Any) -> Q:
    """``members.value eq "<user id>"``: the department of that member (no reverse relation to join)."""
    if op is None:
        return Q(pk__in=Membership.objects.filter(department__isnull=False).values("department_id"))
    if op not in ("eq", "ne") or not isinstance(value, str):
        raise invalid_filter("Compare members.value with eq or ne and a quoted user id.")
    pk = as_pk(value)
    q = Q(pk__in=Membership.objects.filter(pk=pk).values("department_id")) if pk is not None else NOTHING
    return ~q if op == "ne" else q


GROUP_FILTERS: dict[str, Translate] = {
    "id": id_field("pk"),
    "displayname": text_field("name"),
    "externalid": text_field("scim__external_id", case_exact=True),
    "members.value": _member_of,
    "members": _member_of,
}


def group_members(departments: list[Department]) -> dict[int, list[Membership]]:
    """department id → its members (one query for all of them)."""
    found: dict[int, list[Membership]] = {d.pk: [] for d in departments}
    rows = Membership.objects.filter(department__in=departments).only("pk", "display_name", "department_id")
    for member in rows.order_by("pk"):
        assert member.department_id is not None
        if len(found[member.department_id]) < MAX_GROUP_MEMBERS:
            found[member.department_id].append(member)
    return found


def group_resource(department: Department, members: list[Membership] | None) -> dict[str, Any]:
    scim = getattr(department, "scim", None)
    modified = scim.updated_at if scim is not None else None
    created = scim.created_at if scim is not None else None
    meta: dict[str, Any] = {"resourceType": "Group", "location": group_location(department)}
    if created is not None and modified is not None:
        meta["created"] = created.isoformat()
        meta["lastModified"] = modified.isoformat()
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(department.pk),
        "displayName": department.name,
        "meta": meta,
    }
    if scim is not None and scim.external_id:
        resource["externalId"] = scim.external_id
    if members is not None:
        resource["members"] = [
            {"value": str(m.pk), "display": m.display_name, "$ref": user_location(m), "type": "User"} for m in members
        ]
    return resource


def find_user(workspace: Workspace, scim_id: str) -> Membership:
    pk = as_pk(scim_id)
    member = users(workspace).filter(pk=pk).first() if pk is not None else None
    if member is None:
        raise not_found("user")
    return member


def find_group(workspace: Workspace, scim_id: str) -> Department:
    pk = as_pk(scim_id)
    department = groups(workspace).filter(pk=pk).first() if pk is not None else None
    if department is None:
        raise not_found("group")
    return department
