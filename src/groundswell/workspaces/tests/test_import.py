"""CSV import of employees: parsing, the preview, applying in the background, re-imports, and the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from groundswell.conftest import make_member
from groundswell.workspaces import importing
from groundswell.workspaces.models import (
    Department,
    ImportJob,
    ImportStatus,
    Invitation,
    Location,
    Membership,
    Role,
    Workspace,
)

HEADER = "Name,Email,Department,Location,Manager email,Employee ID\n"


def run(workspace: Workspace, by: Membership, text: str, capture: Any, **kw: Any) -> ImportJob:
    job, _ = importing.create_job(workspace, by=by, file_name="people.csv", raw=text.encode(), **kw)
    with capture(execute=True):
        importing.start_job(job)
    job.refresh_from_db()
    return job


def member(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("department", "location", "manager").get(
        workspace=workspace, user__email=email
    )


# --- Parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "name,email,department,location,manager,employee id",
        "Full name;E-mail;Department;Location;Manager email;Employee ID",
        "FULL NAME,E-Mail Address,Dept,Office,Manager_Email,employee_id",
    ],
)
def test_header_variants(header: str) -> None:
    sep = ";" if ";" in header else ","
    text = header + "\n" + sep.join(["Dana Doe", "dana@acme.test", "Sales", "Berlin", "", "E1"]) + "\n"
    parsed = importing.parse(text)
    assert parsed.columns == list(importing.COLUMNS)
    row = parsed.rows[0]
    assert (row.name, row.email, row.department, row.location, row.employee_id) == (
        "Dana Doe",
        "dana@acme.test",
        "Sales",
        "Berlin",
        "E1",
    )
    assert row.line == 2


def test_bom_and_semicolons() -> None:
    raw = '\ufeffE-mail;Full name\r\n"erin@acme.test";"Erin; the second"\r\n\r\nfrank@acme.test;Frank\r\n'
    parsed = importing.parse(importing.decode(raw.encode("utf-8")))
    assert [(r.line, r.email, r.name) for r in parsed.rows] == [
        (2, "erin@acme.test", "Erin; the second"),
        (4, "frank@acme.test", "Frank"),
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"Name,Department\nDana,Sales\n", "No email column"),
        (b"Email\n", "nobody in it"),
        ("Email\nd\xe9@x.test\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_unusable_files(raw: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        importing.parse(importing.decode(raw))


def test_size_and_row_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="larger than"):
        importing.decode(b"x" * (importing.MAX_BYTES + 1))
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="more than 2 people"):
        importing.parse("Email\na@x.test\nb@x.test\nc@x.test\n")


# --- Preview --------------------------------------------------------------------------------------


def test_row_errors_say_what_to_fix(workspace: Workspace, alice: Membership, bob: Membership) -> None:
    text = HEADER + (
        "A,not-an-email,,,,\n"  # 2 invalid email
        "B,dup@acme.test,,,,\n"  # 3
        "B2,DUP@acme.test,,,,\n"  # 4 duplicate
        "C,c@acme.test,,,nobody@acme.test,\n"  # 5 unknown manager
        "D,d@acme.test,,,e@acme.test,\n"  # 6 loop d → e → d
        "E,e@acme.test,,,d@acme.test,\n"  # 7
        "F,,,,,\n"  # 8 empty email
        "G,g@acme.test,,,g@acme.test,\n"  # 9 own manager
        "H,h@acme.test,,,not-an-email,\n"  # 10 bad manager email
        "I,i@acme.test,,,h@acme.test,X1\n"  # 11 manager's row rejected
        "J,j@acme.test,,,,X1\n"  # 12 duplicate employee id
    )
    job, _analysis = importing.create_job(workspace, by=alice, file_name="bad.csv", raw=text.encode())
    by_row: dict[int, list[str]] = {}
    for e in job.errors:
        by_row.setdefault(e["row"], []).append(f"{e['column']}: {e['message']}")
    assert "is not a valid email address" in by_row[2][0]
    assert 3 not in by_row and "also on row 3" in by_row[4][0]
    assert "Unknown manager nobody@acme.test" in by_row[5][0]
    assert "loop" in by_row[6][0] and "loop" in by_row[7][0]
    assert "Email is empty" in by_row[8][0]
    assert "own manager" in by_row[9][0]
    assert by_row[10][0].startswith("Manager email:")
    assert "row (10) has errors" in by_row[11][0]
    assert "Employee ID X1 is also on row 11" in by_row[12][0]
    assert job.error_count == 10 and job.created_count == 1  # only dup@acme.test (row 3) is fine
    assert job.status == ImportStatus.PREVIEWED


def test_preview_counts_and_rows(workspace: Workspace, alice: Membership, bob: Membership, sales: Department) -> None:
    text = HEADER + (
        "Bob,bob@acme.test,Sales,Berlin,,\n"  # unchanged (bob is in Sales, Berlin)
        "Alice,alice@acme.test,Marketing,,,A1\n"  # update
        "New,new@acme.test,Sales,Paris,alice@acme.test,N1\n"  # invite
    )
    job, _analysis = importing.create_job(workspace, by=alice, file_name="p.csv", raw=text.encode())
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (1, 1, 1, 0)
    assert [r["action"] for r in job.preview] == ["unchanged", "update", "invite"]
    assert job.preview[1]["changes"] == "department, employee ID"
    # Nothing written by the preview.
    assert not Department.objects.filter(name="Marketing").exists()
    assert not Invitation.objects.filter(email="new@acme.test").exists()


# --- Applying -------------------------------------------------------------------------------------


def test_apply_creates_updates_and_reimport_is_idempotent(
    workspace: Workspace, alice: Membership, bob: Membership, carol: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    text = HEADER + (
        "Bob,bob@acme.test,Marketing,Paris,carol@acme.test,B1\n"
        "Carol,carol@acme.test,Sales,Berlin,alice@acme.test,C1\n"
        "Nina,nina@acme.test,Support,Lisbon,carol@acme.test,N1\n"
    )
    job = run(workspace, alice, text, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE and job.finished_at is not None
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (1, 2, 0, 0)
    assert job.processed_rows == job.total_rows == 3
    b, c = member(workspace, "bob@acme.test"), member(workspace, "carol@acme.test")
    assert (b.department.name, b.location.name, b.manager, b.employee_id) == ("Marketing", "Paris", c, "B1")
    assert (c.department.name, c.location.name, c.manager_id, c.employee_id) == ("Sales", "Berlin", alice.pk, "C1")
    invitation = Invitation.objects.get(workspace=workspace, email="nina@acme.test")
    assert invitation.department.name == "Support" and invitation.location.name == "Lisbon"  # type: ignore[union-attr]
    assert invitation.invited_by == alice and invitation.accepted_at is None
    assert mail.outbox == []  # invitations are created, not emailed, unless asked for
    assert b.role == Role.EMPLOYEE and b.display_name == "Bob"  # not touched

    again = run(workspace, alice, text, django_capture_on_commit_callbacks)
    assert (again.created_count, again.updated_count, again.unchanged_count, again.error_count) == (0, 0, 3, 0)
    assert Invitation.objects.filter(workspace=workspace, email="nina@acme.test").count() == 1
    assert Department.objects.filter(workspace=workspace, name="Marketing").count() == 1


def test_match_by_employee_id_then_email_and_empty_cells_keep_values(
    workspace: Workspace, alice: Membership, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    Membership.objects.filter(pk=bob.pk).update(employee_id="B1")
    # Bob's email changed in HR, but the employee id still finds him; empty cells keep his location.
    job = run(workspace, alice, HEADER + "Bob,robert@acme.test,Finance,,,B1\n", django_capture_on_commit_callbacks)
    assert (job.created_count, job.updated_count) == (0, 1)
    b = member(workspace, "bob@acme.test")
    assert b.department.name == "Finance" and b.location.name == "Berlin"
    assert not Invitation.objects.filter(email="robert@acme.test").exists()


def test_employee_id_of_someone_else_is_an_error(
    workspace: Workspace, alice: Membership, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    Membership.objects.filter(pk=bob.pk).update(employee_id="B1")
    job = run(workspace, alice, HEADER + "Alice,alice@acme.test,,,,B1\n", django_capture_on_commit_callbacks)
    assert job.error_count == 1 and "belongs to Bob" in job.errors[0]["message"]
    assert member(workspace, "alice@acme.test").employee_id == ""


def test_managers_are_set_in_a_second_pass(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The manager's row comes after the report's row, in another batch.
    monkeypatch.setattr(importing, "BATCH_SIZE", 1)
    m1 = make_member(workspace, "m1@acme.test")
    m2 = make_member(workspace, "m2@acme.test")
    text = HEADER + "M2,m2@acme.test,,,m1@acme.test,\nM1,m1@acme.test,,,alice@acme.test,\n"
    job = run(workspace, alice, text, django_capture_on_commit_callbacks)
    assert job.updated_count == 2
    assert member(workspace, "m2@acme.test").manager == m1
    assert member(workspace, "m1@acme.test").manager == alice
    # Swapping the direction is a loop with the existing lines only if both stay: m1 reporting to m2
    # while m2 reports to m1 in the same file is rejected.
    loop = HEADER + "M1,m1@acme.test,,,m2@acme.test,\n"
    job2, _ = importing.create_job(workspace, by=alice, file_name="x.csv", raw=loop.encode())
    assert job2.error_count == 1 and "loop" in job2.errors[0]["message"]
    assert m2.pk


def test_send_invitations_emails_in_the_background(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    job = run(workspace, alice, "Email\nzoe@acme.test\n", django_capture_on_commit_callbacks, send_invitations=True)
    assert job.created_count == 1 and [m.to for m in mail.outbox] == [["zoe@acme.test"]]


def test_large_file_completes_with_progress(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    lines = [HEADER.strip()]
    Location.objects.create(workspace=workspace, name="HQ")
    for i in range(3000):
        boss = "alice@acme.test" if i < 10 else f"p{i % 10}@acme.test"
        lines.append(f"Person {i},p{i}@acme.test,Dept {i % 7},HQ,{boss},E{i}")
    job = run(workspace, alice, "\n".join(lines) + "\n", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE
    assert job.processed_rows == job.total_rows == 3000
    assert job.created_count == 3000 and job.error_count == 0
    assert Invitation.objects.filter(workspace=workspace).count() == 3000
    assert Department.objects.filter(workspace=workspace).count() == 7


def test_progress_is_written_per_batch(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    seen: list[int] = []
    real = importing.ImportJob.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        qs = real(*args, **kwargs)
        original = qs.update

        def update(**values: Any) -> int:
            if "processed_rows" in values:
                seen.append(values["processed_rows"])
            return original(**values)

        qs.update = update  # type: ignore[method-assign]
        return qs

    monkeypatch.setattr(importing.ImportJob.objects, "filter", spy)
    text = "Email\n" + "".join(f"q{i}@acme.test\n" for i in range(5)) + "bad\n"
    job = run(workspace, alice, text, django_capture_on_commit_callbacks)
    assert seen == [3, 5, 6]  # the rejected row counts at once, then batches of two
    assert job.processed_rows == 6 and job.error_count == 1


def test_a_crash_marks_the_job_failed(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "_segments", boom)
    job = run(workspace, alice, "Email\nz@acme.test\n", django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and "stopped unexpectedly" in job.failure


def test_start_twice_is_refused(
    workspace: Workspace, alice: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    job = run(workspace, alice, "Email\nz@acme.test\n", django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="already started"):
        importing.start_job(job)


# --- Pages ----------------------------------------------------------------------------------------


def _upload(c: Client, text: str, **extra: Any) -> Any:
    f = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return c.post(reverse("workspaces:import_upload", kwargs={"ws": "acme"}), {"file": f, **extra})


def test_the_whole_flow_in_pages(
    alice_client: Client, workspace: Workspace, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    people = alice_client.get(reverse("workspaces:people", kwargs={"ws": "acme"}))
    assert reverse("workspaces:import_upload", kwargs={"ws": "acme"}) in people.content.decode()
    assert alice_client.get(reverse("workspaces:import_upload", kwargs={"ws": "acme"})).status_code == 200

    resp = _upload(alice_client, HEADER + "Bob,bob@acme.test,Ops,,,\nX,broken,,,,\n")
    assert resp.status_code == 302
    job = ImportJob.objects.get()
    preview = alice_client.get(resp["Location"])
    html = preview.content.decode()
    assert preview.status_code == 200 and "is not a valid email address" in html and "Update department" in html

    with django_capture_on_commit_callbacks(execute=True):
        resp = alice_client.post(reverse("workspaces:import_confirm", kwargs={"ws": "acme"}), {"job": job.pk})
    assert resp.status_code == 302 and "progress" in resp["Location"]
    page = alice_client.get(resp["Location"]).content.decode()
    assert "<progress" in page and "members updated" in page and "<script>" not in page
    status = alice_client.get(reverse("workspaces:import_status", kwargs={"ws": "acme"}), {"job": job.pk}).json()
    assert status["finished"] and status["processed_rows"] == status["total_rows"] == 2
    assert status["updated"] == 1 and status["errors"] == 1
    assert member(workspace, "bob@acme.test").department.name == "Ops"  # type: ignore[union-attr]
    # The preview of a started job goes to its progress page.
    assert alice_client.get(resp["Location"].replace("progress", "preview")).status_code == 302


def test_a_running_job_without_js_shows_its_progress(
    alice_client: Client, workspace: Workspace, alice: Membership
) -> None:
    job = ImportJob.objects.create(
        workspace=workspace,
        created_by=alice,
        file_name="f.csv",
        content="",
        status=ImportStatus.RUNNING,
        total_rows=10,
        processed_rows=4,
    )
    url = reverse("workspaces:import_progress", kwargs={"ws": "acme"})
    html = alice_client.get(url, {"job": job.pk}).content.decode()
    assert 'value="4"' in html and 'max="10"' in html and "import.js" in html and "Reload" in html


def test_unusable_upload_is_a_form_error(alice_client: Client, alice: Membership) -> None:
    resp = _upload(alice_client, "Name\nDana\n")
    assert resp.status_code == 400 and "No email column" in resp.content.decode()
    assert not ImportJob.objects.exists()


def _job_urls(job: ImportJob, ws: str = "acme") -> list[tuple[str, str]]:
    q = f"?job={job.pk}"
    base = {
        n: reverse(f"workspaces:{n}", kwargs={"ws": ws}) for n in ("import_preview", "import_progress", "import_status")
    }
    return [("get", u + q) for u in base.values()] + [("get", reverse("workspaces:import_upload", kwargs={"ws": ws}))]


def test_outsiders_and_employees_get_404(
    workspace: Workspace, alice: Membership, bob_client: Client, charlie_client: Client, charlie: Membership
) -> None:
    job = ImportJob.objects.create(workspace=workspace, created_by=alice, file_name="f.csv", content="Email\n")
    for c in (bob_client, charlie_client):
        for method, u in _job_urls(job):
            assert getattr(c, method)(u).status_code == 404, u
        assert _upload(c, "Email\nx@acme.test\n").status_code == 404
        confirm = reverse("workspaces:import_confirm", kwargs={"ws": "acme"})
        assert c.post(confirm, {"job": job.pk}).status_code == 404
    # Charlie's own workspace with Acme's job id: 404 too.
    for method, u in _job_urls(job, "globex")[:3]:
        assert getattr(charlie_client, method)(u).status_code == 404, u
    globex_confirm = reverse("workspaces:import_confirm", kwargs={"ws": "globex"})
    assert charlie_client.post(globex_confirm, {"job": job.pk}).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_missing_or_bad_job_parameter_is_404(alice_client: Client, alice: Membership) -> None:
    url = reverse("workspaces:import_preview", kwargs={"ws": "acme"})
    assert alice_client.get(url).status_code == 404
    assert alice_client.get(url, {"job": "abc"}).status_code == 404


def test_a_long_reporting_chain_and_a_loop_above_someone(workspace: Workspace, alice: Membership) -> None:
    lines = ["Email,Manager"] + [f"c{i}@acme.test,c{i + 1}@acme.test" for i in range(2000)] + ["c2000@acme.test,"]
    lines += ["x@acme.test,y@acme.test", "y@acme.test,z@acme.test", "z@acme.test,y@acme.test"]
    job, _ = importing.create_job(workspace, by=alice, file_name="chain.csv", raw="\n".join(lines).encode())
    assert sorted(e["row"] for e in job.errors) == [2004, 2005]  # y and z loop; x only reports into it
    assert job.created_count == 2002
