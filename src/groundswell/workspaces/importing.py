"""CSV import of employees: parse and check a file, preview what it will do, then apply it in batches.

The file has one row per person: name, email, department, location, manager (the manager's email) and
employee id. Only the email column is required. A row is matched to a member by employee id, else by
email. Members get their department, location, manager and employee id updated (never their name, which
is theirs to edit, and nobody is deleted or deactivated); people not yet in the workspace get a pending
invitation carrying the department and location. Their employee id and manager are set by importing the
file again once they have joined. Rows with errors are skipped and reported with what to fix.

``analyse`` is pure (reads only); ``apply_job`` writes, one transaction per batch of ``BATCH_SIZE`` rows,
and is idempotent: importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from groundswell.lib.text import control_message, first_control
from groundswell.workspaces import actions
from groundswell.workspaces.models import (
    Department,
    ImportJob,
    ImportStatus,
    Invitation,
    Location,
    Membership,
    Workspace,
)

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
BATCH_SIZE = 500
PREVIEW_ROWS = 20
MAX_REPORTED_ERRORS = 1000

COLUMNS = ("name", "email", "department", "location", "manager", "employee_id")
COLUMN_LABELS = {
    "name": "Name",
    "email": "Email",
    "department": "Department",
    "location": "Location",
    "manager": "Manager email",
    "employee_id": "Employee ID",
}
_ALIASES = {
    "name": {"name", "full name", "fullname", "display name", "employee name", "employee"},
    "email": {"email", "e mail", "email address", "e mail address", "mail", "work email", "work e mail"},
    "department": {"department", "dept", "team", "division"},
    "location": {"location", "office", "site", "city"},
    "manager": {
        "manager",
        "manager email",
        "manager e mail",
        "manager email address",
        "managers email",
        "reports to",
        "line manager",
    },
    "employee_id": {"employee id", "employeeid", "employee number", "employee no", "staff id", "emp id", "id"},
}
_HEADER_LOOKUP = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_LIMITS = {"name": 120, "department": 120, "location": 120, "employee_id": 64, "email": 254, "manager": 254}


def _normalise_header(value: str) -> str:
    value = value.strip().lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.split(r"[\s_\-.]+", value)).strip()


# --- Parsing --------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    name: str = ""
    email: str = ""
    department: str = ""
    location: str = ""
    manager: str = ""
    employee_id: str = ""


@dataclass
class Parsed:
    rows: list[Row]
    columns: list[str]  # the recognised columns, in COLUMNS order
    ignored_headers: list[str]


def decode(raw: bytes) -> str:
    """The text of an uploaded file (UTF-8, with or without a byte-order mark)."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it into several files and import each."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from None


def parse(text: str) -> Parsed:
    """Rows of ``text``; raise ``ValidationError`` when the file as a whole cannot be used."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError("The file is empty. Upload a CSV with a header row and one row per person.")
    sample = text[: 64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"', strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError("The header row could not be read. Check that the file is a CSV.") from None
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw_name in enumerate(header):
        column = _HEADER_LOOKUP.get(_normalise_header(raw_name))
        if column is None or column in positions:
            if raw_name.strip():
                ignored.append(raw_name.strip())
            continue
        positions[column] = index
    if "email" not in positions:
        raise ValidationError(
            "No email column found. The first row must name the columns, for example: "
            "Name, Email, Department, Location, Manager email, Employee ID."
        )
    rows: list[Row] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    f"The file has more than {MAX_ROWS:,} people. Split it into several files and import each."
                )
            row = Row(line=reader.line_num)
            for column, index in positions.items():
                value = values[index] if index < len(values) else ""
                setattr(row, column, " ".join(value.split()))
            rows.append(row)
    except csv.Error as exc:
        raise ValidationError(f"Line {reader.line_num} could not be read ({exc}). Check its quotes.") from None
    if not rows:
        raise ValidationError("The file has a header row but nobody in it. Add one row per person.")
    return Parsed(rows=rows, columns=[c for c in COLUMNS if c in positions], ignored_headers=ignored)


# --- Analysis -------------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED = "invite", "update", "unchanged"


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": COLUMN_LABELS.get(self.column, self.column), "message": self.message}


@dataclass
class Planned:
    row: Row
    action: str  # CREATE, UPDATE or UNCHANGED
    member_id: int | None  # the existing member this row updates
    changes: list[str] = field(default_factory=list)
    manager_member_id: int | None = None  # set in the second pass (members only)
    manager_pending: bool = False  # the manager is only invited, not a member yet


@dataclass
class Analysis:
    planned: list[Planned]
    errors: list[RowError]
    columns: list[str]
    ignored_headers: list[str]
    total_rows: int

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def count(self, action: str) -> int:
        return sum(1 for p in self.planned if p.action == action)

    def preview(self) -> list[dict[str, Any]]:
        return [
            {
                "row": p.row.line,
                "name": p.row.name,
                "email": p.row.email,
                "department": p.row.department,
                "location": p.row.location,
                "manager": p.row.manager,
                "employee_id": p.row.employee_id,
                "action": p.action,
                "changes": ", ".join(p.changes),
            }
            for p in self.planned[:PREVIEW_ROWS]
        ]


@dataclass
class _MemberInfo:
    pk: int
    email: str
    name: str
    employee_id: str
    department: str
    location: str
    manager_id: int | None


def _members(workspace: Workspace) -> list[_MemberInfo]:
    rows = Membership.objects.filter(workspace=workspace).values_list(
        "pk", "user__email", "display_name", "employee_id", "department__name", "location__name", "manager_id"
    )
    return [_MemberInfo(pk, (e or "").lower(), n, eid, d or "", loc or "", m) for pk, e, n, eid, d, loc, m in rows]


def analyse(workspace: Workspace, parsed: Parsed) -> Analysis:
    """What importing ``parsed`` into ``workspace`` would do, and every row that cannot be imported."""
    members = _members(workspace)
    by_pk = {m.pk: m for m in members}
    by_email = {m.email: m for m in members if m.email}
    by_eid = {m.employee_id: m for m in members if m.employee_id}
    errors: dict[int, list[RowError]] = {}

    def fail(row: Row, column: str, message: str) -> None:
        errors.setdefault(row.line, []).append(RowError(row.line, column, message))

    first_email: dict[str, int] = {}
    first_eid: dict[str, int] = {}
    matched: dict[int, _MemberInfo | None] = {}
    for row in parsed.rows:
        for column in parsed.columns:
            code = first_control(getattr(row, column))
            if code:
                fail(row, column, control_message("This cell", code))
        for column, limit in _LIMITS.items():
            if len(getattr(row, column)) > limit:
                fail(row, column, f"Too long: keep it under {limit} characters.")
        email = row.email.lower()
        if not row.email:
            fail(row, "email", "Email is empty: add the person's work email address.")
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                fail(row, "email", f"“{row.email}” is not a valid email address: fix it (like name@company.com).")
            if email in first_email:
                fail(row, "email", f"{row.email} is also on row {first_email[email]}: keep one row per person.")
            else:
                first_email[email] = row.line
        if row.employee_id:
            if row.employee_id in first_eid:
                fail(
                    row,
                    "employee_id",
                    f"Employee ID {row.employee_id} is also on row {first_eid[row.employee_id]}: IDs must be unique.",
                )
            else:
                first_eid[row.employee_id] = row.line
        if row.manager:
            try:
                validate_email(row.manager)
            except ValidationError:
                fail(row, "manager", f"“{row.manager}” is not a valid email address: give the manager's email.")
            if row.manager.lower() == email:
                fail(row, "manager", "Someone cannot be their own manager: leave the manager empty or fix it.")
        # Match: employee id first, else email.
        member = by_eid.get(row.employee_id) if row.employee_id else None
        by_mail = by_email.get(email)
        if member is not None and by_mail is not None and by_mail.pk != member.pk:
            fail(
                row,
                "employee_id",
                f"Employee ID {row.employee_id} belongs to {member.name} but {row.email} is {by_mail.name}'s "
                "address: fix the ID or the email.",
            )
        if member is None:
            member = by_mail
            if member is not None and row.employee_id and member.employee_id != row.employee_id:
                holder = by_eid.get(row.employee_id)
                if holder is not None and holder.pk != member.pk:
                    fail(row, "employee_id", f"Employee ID {row.employee_id} already belongs to {holder.name}.")
        matched[row.line] = member

    # Managers: in the file or in the workspace; a manager whose own row is rejected cannot be relied on.
    file_rows = {r.email.lower(): r for r in parsed.rows if r.email}
    changed = True
    while changed:
        changed = False
        for row in parsed.rows:
            if row.line in errors or not row.manager:
                continue
            boss = row.manager.lower()
            boss_row = file_rows.get(boss)
            if boss_row is None and boss not in by_email:
                fail(row, "manager", f"Unknown manager {row.manager}: add a row for them or fix the address.")
                changed = True
            elif boss_row is not None and boss_row.line in errors and boss not in by_email:
                fail(row, "manager", f"The manager's row ({boss_row.line}) has errors: fix that row first.")
                changed = True

    # Cycles, over the reporting lines after the import (file rows win over the workspace).
    boss_of: dict[str, str] = {}
    for m in members:
        if m.manager_id is not None and m.manager_id in by_pk:
            boss_of[m.email] = by_pk[m.manager_id].email
    for row in parsed.rows:
        if row.line not in errors and row.email and row.manager:
            boss_of[row.email.lower()] = row.manager.lower()
    settled: set[str] = set()  # people whose chain of managers is known to end (or to run into others' loop)
    for row in parsed.rows:
        if row.line in errors or not row.manager:
            continue
        chain = [row.email.lower()]
        on_chain = set(chain)
        cursor = boss_of.get(chain[0], "")
        while cursor and cursor not in on_chain and cursor not in settled:
            chain.append(cursor)
            on_chain.add(cursor)
            cursor = boss_of.get(cursor, "")
        if cursor and cursor == chain[0]:
            loop = " → ".join([*chain, chain[0]])
            fail(row, "manager", f"The reporting lines make a loop ({loop}): change one of these managers.")
        elif cursor in on_chain:  # runs into a loop further up: only the people before it are settled
            settled.update(chain[: chain.index(cursor)])
        else:
            settled.update(chain)

    # Plan the rows that pass.
    pending = {
        e.lower(): (d, loc)
        for e, d, loc in Invitation.objects.filter(
            workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("email", "department__name", "location__name")
    }
    planned: list[Planned] = []
    for row in parsed.rows:
        if row.line in errors:
            continue
        member = matched[row.line]
        manager = by_email.get(row.manager.lower()) if row.manager else None
        if member is None:
            same = pending.get(row.email.lower())
            unchanged = (
                same is not None
                and (same[0] or "").lower() == row.department.lower()
                and (same[1] or "").lower() == row.location.lower()
            )
            planned.append(Planned(row, UNCHANGED if unchanged else CREATE, None, manager_pending=bool(row.manager)))
            continue
        changes: list[str] = []  # an empty cell keeps the current value: an import never removes anything
        if row.department and row.department.lower() != member.department.lower():
            changes.append("department")
        if row.location and row.location.lower() != member.location.lower():
            changes.append("location")
        if row.employee_id and row.employee_id != member.employee_id:
            changes.append("employee ID")
        manager_pk = manager.pk if manager is not None else None
        if not row.manager:
            plan = Planned(row, UPDATE if changes else UNCHANGED, member.pk, changes)
        elif manager is None:
            plan = Planned(row, UPDATE if changes else UNCHANGED, member.pk, changes, manager_pending=True)
        else:
            if manager_pk != member.manager_id:
                changes.append("manager")
            plan = Planned(row, UPDATE if changes else UNCHANGED, member.pk, changes, manager_member_id=manager_pk)
        planned.append(plan)
    flat = [e for line in sorted(errors) for e in errors[line]]
    return Analysis(planned, flat, parsed.columns, parsed.ignored_headers, len(parsed.rows))


# --- Jobs -----------------------------------------------------------------------------------------


def _record(job: ImportJob, analysis: Analysis) -> None:
    job.total_rows = analysis.total_rows
    job.created_count = analysis.count(CREATE)
    job.updated_count = analysis.count(UPDATE)
    job.unchanged_count = analysis.count(UNCHANGED)
    job.error_count = analysis.error_rows
    job.errors = [e.as_dict() for e in analysis.errors[:MAX_REPORTED_ERRORS]]


def create_job(
    workspace: Workspace, *, by: Membership, file_name: str, raw: bytes, send_invitations: bool = False
) -> tuple[ImportJob, Analysis]:
    """Check an uploaded file and keep it with its preview; raise ``ValidationError`` for an unusable file."""
    if by.workspace_id != workspace.pk:
        raise ValidationError("The importer is not in this workspace.")
    text = decode(raw)
    analysis = analyse(workspace, parse(text))
    job = ImportJob(
        workspace=workspace,
        created_by=by,
        file_name=(file_name or "upload.csv")[:255],
        content=text,
        send_invitations=send_invitations,
        status=ImportStatus.PREVIEWED,
        preview=analysis.preview(),
    )
    _record(job, analysis)
    job.save()
    return job, analysis


def start_job(job: ImportJob) -> ImportJob:
    """Queue a previewed import (the background task ``run_import`` applies it)."""
    from groundswell.workspaces.tasks import run_import

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.PREVIEWED:
            raise ValidationError("This import was already started. Upload the file again to import it once more.")
        locked.status = ImportStatus.RUNNING
        locked.processed_rows = 0
        locked.save(update_fields=["status", "processed_rows"])
        job_id = locked.pk
        transaction.on_commit(lambda: run_import.enqueue(job_id))
    return locked


def _segments(model: type[Department] | type[Location], workspace: Workspace, names: set[str]) -> dict[str, Any]:
    """name (lower case) → department or location, creating the missing ones."""
    found = {s.name.lower(): s for s in model.objects.filter(workspace=workspace)}
    for name in sorted(names):
        if name and name.lower() not in found:
            found[name.lower()] = model.objects.get_or_create(workspace=workspace, name=name)[0]
    return found


def apply_job(job_id: int) -> ImportJob:
    """Apply a started import in batches; the counts and errors reflect the workspace as it is now."""
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    if job.status != ImportStatus.RUNNING:
        return job
    workspace = job.workspace
    analysis = analyse(workspace, parse(job.content))
    _record(job, analysis)
    job.processed_rows = analysis.error_rows  # rejected rows are done already
    job.save()
    plans = analysis.planned
    # Pass 1: departments, locations, employee ids and invitations.
    for start in range(0, len(plans), BATCH_SIZE):
        batch = plans[start : start + BATCH_SIZE]
        with transaction.atomic():
            departments = _segments(Department, workspace, {p.row.department for p in batch})
            locations = _segments(Location, workspace, {p.row.location for p in batch})
            members = Membership.objects.in_bulk([p.member_id for p in batch if p.member_id is not None])
            to_update: list[Membership] = []
            for plan in batch:
                department = departments.get(plan.row.department.lower()) if plan.row.department else None
                location = locations.get(plan.row.location.lower()) if plan.row.location else None
                if plan.member_id is None:
                    if plan.action == CREATE:
                        _invite(job, plan, department, location)
                    continue
                member = members.get(plan.member_id)
                if member is None or plan.action == UNCHANGED:
                    continue
                if department is not None:
                    member.department = department
                if location is not None:
                    member.location = location
                if plan.row.employee_id:
                    member.employee_id = plan.row.employee_id
                to_update.append(member)
            Membership.objects.bulk_update(to_update, ["department", "location", "employee_id"])
            job.processed_rows += len(batch)
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=job.processed_rows)
    # Pass 2: reporting lines, once everybody in the file exists.
    with_manager = [p for p in plans if p.member_id is not None and "manager" in p.changes]
    for start in range(0, len(with_manager), BATCH_SIZE):
        batch = with_manager[start : start + BATCH_SIZE]
        with transaction.atomic():
            members = Membership.objects.in_bulk([p.member_id for p in batch if p.member_id is not None])
            for plan in batch:
                assert plan.member_id is not None
                members[plan.member_id].manager_id = plan.manager_member_id
            Membership.objects.bulk_update(list(members.values()), ["manager"])
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    job.save()
    return job


def _invite(job: ImportJob, plan: Planned, department: Department | None, location: Location | None) -> None:
    try:
        with transaction.atomic():
            actions.invite_member(
                job.workspace,
                email=plan.row.email,
                invited_by=job.created_by,
                department=department,
                location=location,
                send=job.send_invitations,
            )
    except ValidationError as exc:
        _late_error(job, plan, "email", " ".join(exc.messages))
    except OSError as exc:  # the mail server refused: the invitation is not kept
        _late_error(job, plan, "email", f"The invitation email could not be sent ({exc}); import again later.")


def _late_error(job: ImportJob, plan: Planned, column: str, message: str) -> None:
    job.created_count -= 1
    job.error_count += 1
    if len(job.errors) < MAX_REPORTED_ERRORS:
        job.errors.append(RowError(plan.row.line, column, message).as_dict())
    ImportJob.objects.filter(pk=job.pk).update(
        created_count=job.created_count, error_count=job.error_count, errors=job.errors
    )


def fail_job(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, failure=message, finished_at=timezone.now())
