"""Request bodies: Pydantic models at the edge, turned into the changes the write layer understands.

Identity providers differ in the details (Entra ID capitalises ``"Replace"``, sends ``"False"`` as a string
and path-less value objects keyed by full attribute URNs; Okta removes group members with a value filter in
the path). Everything is normalised here, so ``actions`` sees one shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from groundswell.scim.errors import ScimError, invalid_path, invalid_syntax, invalid_value, mutability, no_target
from groundswell.scim.filters import CONTROL, ENTERPRISE_USER, Compare, normalise_attribute, parse_filter
from groundswell.scim.resources import PATCH_SCHEMA

MAX_OPERATIONS = 100


def _pydantic_error(exc: ValidationError) -> ScimError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return invalid_syntax(f"{where}: {first.get('msg', 'invalid')}.")


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PatchOperation(_Body):
    op: str
    path: str | None = None
    value: Any = None

    @field_validator("op")
    @classmethod
    def _op(cls, value: str) -> str:
        lowered = value.lower()
        if lowered not in ("add", "replace", "remove"):
            raise ValueError("op must be add, replace or remove")
        return lowered


class PatchRequest(_Body):
    schemas: list[str] = Field(default_factory=lambda: [PATCH_SCHEMA])
    operations: list[PatchOperation] = Field(alias="Operations", max_length=MAX_OPERATIONS)


def parse_patch(data: object) -> PatchRequest:
    try:
        return PatchRequest.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc) from None


class _Email(_Body):
    value: str = ""
    type: str | None = None
    primary: bool | None = None


class _Name(_Body):
    formatted: str | None = None
    given_name: str | None = Field(default=None, alias="givenName")
    family_name: str | None = Field(default=None, alias="familyName")


class _Ref(_Body):
    value: str = ""
    display: str | None = None


class UserBody(_Body):
    user_name: str = Field(alias="userName", min_length=1, max_length=254)
    external_id: str | None = Field(default=None, alias="externalId", max_length=254)
    display_name: str | None = Field(default=None, alias="displayName", max_length=254)
    name: _Name | None = None
    title: str | None = Field(default=None, max_length=254)
    active: bool | str = True
    emails: list[_Email] = Field(default_factory=list, max_length=20)


class GroupBody(_Body):
    display_name: str = Field(alias="displayName", min_length=1, max_length=254)
    external_id: str | None = Field(default=None, alias="externalId", max_length=254)
    members: list[_Ref] = Field(default_factory=list)


# --- Users ----------------------------------------------------------------------------------------


class _Unset:
    """Not in the request. Falsy, so ``changes.title or ""`` reads as "nothing given"."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass
class UserChanges:
    """What a request asks for. ``UNSET`` leaves an attribute as it is; "" or ``None`` clears it."""

    user_name: str = UNSET
    external_id: str = UNSET
    display_name: str = UNSET
    title: str = UNSET
    email: str = UNSET
    active: bool = UNSET
    employee_id: str = UNSET
    department: str | None = UNSET  # a department name
    manager_id: str | None = UNSET  # the manager's SCIM id

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not UNSET}


def _text(value: Any, attribute: str, limit: int = 254) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid_value(f"{attribute} must be a string.")
    text = " ".join(str(value).split())
    if CONTROL.search(text):
        raise invalid_value(f"{attribute} contains control characters.")
    if len(text) > limit:
        raise invalid_value(f"{attribute} is longer than {limit} characters.")
    return text


def _boolean(value: Any) -> bool:
    """``active``: Entra ID has sent "True"/"False" strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_value("active must be true or false.")


def _reference(value: Any, attribute: str) -> str | None:
    """``manager``: ``{"value": "12"}``, or the bare id, or empty/null to clear it."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return _text(value, attribute) or None
    raise invalid_value(f"{attribute} must be an object with a value (the SCIM id).")


def _work_email(emails: list[Any]) -> str:
    """The work email among ``emails``: the primary one, else type "work", else the first."""
    parsed: list[_Email] = []
    for item in emails:
        try:
            parsed.append(_Email.model_validate(item))
        except ValidationError as exc:
            raise _pydantic_error(exc) from None
    if not parsed:
        return ""
    chosen = next((e for e in parsed if e.primary), None) or next(
        (e for e in parsed if (e.type or "").lower() == "work"), parsed[0]
    )
    return _text(chosen.value, "emails.value")


def _name_text(name: _Name | None) -> str:
    if name is None:
        return ""
    if name.formatted:
        return name.formatted
    return " ".join(p for p in (name.given_name, name.family_name) if p)


def _enterprise(changes: UserChanges, key: str, value: Any) -> None:
    """One attribute of the enterprise extension (``key`` lower case, without the URN)."""
    if key == "employeenumber":
        changes.employee_id = _text(value, "employeeNumber", 64)
    elif key == "department":
        changes.department = _text(value, "department", 120) or None
    elif key in ("manager", "manager.value"):
        changes.manager_id = _reference(value, "manager")


def user_changes_from_body(data: object, *, replace: bool) -> UserChanges:
    """Changes for a POST (``replace=False``) or PUT (``replace=True``: attributes left out are cleared,
    except the enterprise extension's when the extension is left out as a whole)."""
    try:
        body = UserBody.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc) from None
    extra = body.model_extra or {}
    changes = UserChanges(
        user_name=_text(body.user_name, "userName"),
        external_id=_text(body.external_id, "externalId"),
        display_name=_text(body.display_name or _name_text(body.name), "displayName", 120),
        title=_text(body.title, "title", 120),
        email=_work_email(body.emails),
        active=_boolean(body.active),
    )
    enterprise = next((v for k, v in extra.items() if k.lower() == ENTERPRISE_USER), None)
    if enterprise is not None:
        if not isinstance(enterprise, dict):
            raise invalid_syntax(f"{ENTERPRISE_USER} must be an object.")
        if replace:
            # A PUT replaces the extension it sends. Without it, the enterprise attributes are left alone:
            # Okta sends PUT without the extension when no enterprise attribute is mapped, and departments
            # may then come from group pushes, which a user PUT must not undo.
            changes.employee_id, changes.department, changes.manager_id = "", None, None
        for key, value in enterprise.items():
            _enterprise(changes, key.lower(), value)
    if not changes.user_name:
        raise invalid_value("userName is required.")
    return changes


_PATH = re.compile(r"^(?P<attribute>[^\[\]]+?)(?:\[(?P<filter>[^\]]*)\])?(?P<sub>\.[A-Za-z$][\w$]*)?$")


@dataclass(frozen=True)
class Path:
    attribute: str  # normalised
    filter: str  # the text in brackets, or ""
    sub: str  # normalised sub-attribute after the brackets, or ""


def parse_path(text: str) -> Path:
    match = _PATH.match(text.strip())
    if match is None:
        raise invalid_path(f"“{text}” is not a valid attribute path.")
    return Path(normalise_attribute(match["attribute"]), match["filter"] or "", (match["sub"] or "")[1:].lower())


def _apply_user_value(changes: UserChanges, attribute: str, value: Any, op: str) -> None:
    """Set one attribute (normalised name) from a PATCH value. Unknown attributes are ignored."""
    removing = op == "remove"
    if attribute == "active":
        if removing:
            raise mutability("active cannot be removed; set it to false to deactivate the member.")
        changes.active = _boolean(value)
    elif attribute == "username":
        if removing:
            raise mutability("userName is required and cannot be removed.")
        changes.user_name = _text(value, "userName")
        if not changes.user_name:
            raise invalid_value("userName cannot be empty.")
    elif attribute == "externalid":
        changes.external_id = "" if removing else _text(value, "externalId")
    elif attribute in ("displayname", "name.formatted"):
        changes.display_name = "" if removing else _text(value, "displayName", 120)
    elif attribute == "name":
        if not removing and isinstance(value, dict):
            try:
                changes.display_name = _text(_name_text(_Name.model_validate(value)), "name", 120)
            except ValidationError as exc:
                raise _pydantic_error(exc) from None
    elif attribute == "title":
        changes.title = "" if removing else _text(value, "title", 120)
    elif attribute in ("emails", "emails.value"):
        if removing:
            raise mutability("The work email identifies the member's account and cannot be removed.")
        if isinstance(value, list):
            changes.email = _work_email(value)
        else:
            changes.email = _text(value, "emails.value")
    elif attribute == ENTERPRISE_USER:
        if removing:
            changes.employee_id, changes.department, changes.manager_id = "", None, None
        elif isinstance(value, dict):
            for key, item in value.items():
                _enterprise(changes, key.lower(), item)
        else:
            raise invalid_value(f"{ENTERPRISE_USER} must be an object.")
    elif attribute.startswith("enterprise:"):
        _enterprise(changes, attribute[len("enterprise:") :], None if removing else value)


def user_changes_from_patch(request: PatchRequest) -> UserChanges:
    changes = UserChanges()
    for operation in request.operations:
        if operation.path is None or not operation.path.strip():
            if operation.op == "remove":
                raise no_target("A remove operation needs a path.")
            if not isinstance(operation.value, dict):
                raise invalid_value("Without a path, the value must be an object of attributes.")
            for key, value in operation.value.items():
                _apply_user_value(changes, normalise_attribute(key), value, operation.op)
            continue
        path = parse_path(operation.path)
        attribute = path.attribute
        if path.filter:
            parse_filter(path.filter)  # a broken filter is an error even on an attribute we do not keep
            if attribute != "emails":
                continue  # addresses, phoneNumbers, roles…: Entra ID sends them by default; nothing to keep
            attribute = "emails.value" if path.sub in ("", "value") else "emails." + path.sub
            if attribute != "emails.value":
                continue  # type, primary, display: nothing to keep
            if operation.op != "remove" and isinstance(operation.value, dict):
                operation.value = operation.value.get("value")
        elif path.sub:
            attribute = f"{attribute}.{path.sub}"
        if operation.op != "remove" and operation.value is None and attribute != "enterprise:manager":
            raise invalid_value(f"The {operation.op} operation on “{operation.path}” needs a value.")
        _apply_user_value(changes, attribute, operation.value, operation.op)
    return changes


# --- Groups ---------------------------------------------------------------------------------------


@dataclass
class GroupChanges:
    display_name: str = UNSET
    external_id: str = UNSET
    members: list[str] | None = None  # the full list (PUT, or PATCH replace)
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)


def group_changes_from_body(data: object) -> GroupChanges:
    try:
        body = GroupBody.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc) from None
    name = _text(body.display_name, "displayName", 120)
    if not name:
        raise invalid_value("displayName is required.")
    return GroupChanges(
        display_name=name,
        external_id=_text(body.external_id, "externalId"),
        members=[_member_id(m.value) for m in body.members],
    )


def _member_id(value: Any) -> str:
    reference = _reference(value, "members.value")
    if reference is None:
        raise invalid_value("Each member needs a value (the user's SCIM id).")
    return reference


def _member_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise invalid_value("members must be a list of objects with a value (the user's SCIM id).")
    return [_member_id(v) for v in value]


def _members_filter_id(text: str) -> str:
    """``value eq "12"`` (the brackets of ``members[value eq "12"]``) → "12"."""
    node = parse_filter(text)
    if not (isinstance(node, Compare) and node.attribute == "value" and node.op == "eq"):
        raise invalid_path('Select members with value eq "<user id>".')
    return _member_id(node.value)


#: Group attributes a PATCH may change; ``id`` and ``meta`` are read-only (RFC 7643 §3.1).
GROUP_WRITABLE = frozenset({"displayname", "externalid", "members"})
GROUP_READ_ONLY = frozenset({"id", "meta", "schemas"})


def _check_group_path(path: Path, text: str) -> None:
    """invalidPath unless ``path`` names something a Group PATCH can change (RFC 7644 §3.5.2, §3.12).

    Checked for every operation before anything is applied, so a PATCH with one bad path changes nothing."""
    if path.attribute in GROUP_READ_ONLY or path.attribute.startswith("meta."):
        raise invalid_path(f"“{text}” is read-only: a PATCH cannot change it.")
    if path.attribute not in GROUP_WRITABLE:
        raise invalid_path(f"“{text}” is not an attribute of a Group (displayName, externalId, members).")
    if path.attribute != "members" and (path.filter or path.sub):
        raise invalid_path(f"“{text}”: {path.attribute} has no sub-attributes or values to select.")
    if path.attribute == "members" and path.sub not in ("", "value"):
        raise invalid_path(f"“{text}”: members can be changed only by their value (the user's id).")


def group_changes_from_patch(request: PatchRequest) -> GroupChanges:
    changes = GroupChanges()
    for operation in request.operations:
        path = parse_path(operation.path) if operation.path and operation.path.strip() else None
        if path is None:
            if operation.op == "remove":
                raise no_target("A remove operation needs a path.")
            if not isinstance(operation.value, dict):
                raise invalid_value("Without a path, the value must be an object of attributes.")
            items = [(normalise_attribute(k), v) for k, v in operation.value.items()]
            for attribute, _value in items:
                # Okta repeats the id (and may send schemas) in a path-less value: harmless, ignored.
                if attribute not in GROUP_WRITABLE | GROUP_READ_ONLY:
                    raise invalid_path(f"“{attribute}” is not an attribute of a Group.")
        else:
            _check_group_path(path, operation.path or "")
            items = [(path.attribute, operation.value)]
        for attribute, value in items:
            if attribute == "displayname":
                if operation.op == "remove":
                    raise mutability("displayName is required and cannot be removed.")
                changes.display_name = _text(value, "displayName", 120)
                if not changes.display_name:
                    raise invalid_value("displayName cannot be empty.")
            elif attribute == "externalid":
                changes.external_id = "" if operation.op == "remove" else _text(value, "externalId")
            elif attribute == "members":
                _member_operation(changes, operation.op, path, value)
            # id, schemas and meta in a path-less value: nothing to change
    return changes


def _member_operation(changes: GroupChanges, op: str, path: Path | None, value: Any) -> None:
    if op == "remove":
        if path is not None and path.filter:
            changes.remove.append(_members_filter_id(path.filter))
        elif value is not None:
            changes.remove.extend(_member_ids(value))
        else:  # remove all members
            changes.members, changes.add, changes.remove = [], [], []
        return
    if path is not None and path.filter:
        raise invalid_path("To add members, use the path members and a list of values.")
    ids = _member_ids(value if value is not None else [])
    if op == "replace":
        changes.members, changes.add, changes.remove = ids, [], []
    else:
        changes.add.extend(ids)
