"""The audit pages: access, the report page, charts, the PDF, bad input, empty states, the schedule page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from groundswell.audit.models import ReportSubscription
from groundswell.audit.tests.test_report import Chatter, make_chatter
from groundswell.conftest import client_for
from groundswell.listening.models import Topic, TopicKind
from groundswell.workspaces.models import Membership, Workspace

MARCH = "?period=month&day=2026-03-15"
PAGES = ["/w/acme/audit/", "/w/acme/audit/report.pdf", "/w/acme/audit/chart/volume.svg", "/w/acme/audit/schedules/"]


@pytest.fixture
def chatter(workspace: Workspace) -> Chatter:
    return make_chatter(workspace)


def _text(resp: Any) -> str:
    return str(resp.content.decode())


@pytest.mark.parametrize("path", PAGES)
def test_admins_and_managers_only_outsiders_404(
    chatter: Chatter, path: str, alice: Membership, carol: Membership, bob: Membership, charlie: Membership
) -> None:
    assert client_for(alice).get(path + MARCH).status_code == 200
    assert client_for(carol).get(path + MARCH).status_code == 200
    assert client_for(bob).get(path + MARCH).status_code == 404
    assert client_for(charlie).get(path + MARCH).status_code == 404
    assert client_for(charlie).post(path).status_code == 404
    assert Client().get(path).status_code == 302


def test_report_page_shows_summary_tables_and_charts(chatter: Chatter, alice_client: Client) -> None:
    resp = alice_client.get("/w/acme/audit/" + MARCH)
    html = _text(resp)
    assert "People mentioned Northwind 12 times in March 2026, 20% more than in February 2026." in html
    assert "/w/acme/audit/chart/volume.svg?period=month&amp;day=2026-03-01" in html
    assert "/w/acme/audit/report.pdf?period=month&amp;day=2026-03-01" in html
    assert "zipper recall" in html and "outdoorsy" in html
    assert '<td>Fabrikam</td><td class="num">2</td><td class="num">10%</td>' in html
    assert "← February 2026" in html


def test_default_is_the_last_complete_month(chatter: Chatter, alice_client: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    resp = alice_client.get("/w/acme/audit/")
    assert resp.status_code == 200
    period = resp.context["period"]
    today = timezone.now().date()
    assert period.kind == "month" and period.current.start.day == 1
    assert period.current.end + dt.timedelta(days=1) == today.replace(day=1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?period=custom&start=2026-03-10&end=2026-03-01", "The end date is before the start date."),
        ("?period=custom&start=yesterday&end=2026-03-01", "Enter a valid date."),
        ("?period=custom&end=2026-03-01", "Choose the first day of the report."),
        ("?period=custom&start=2010-01-01&end=2026-03-01", "Choose at most 366 days"),
        ("?period=decade", "Select a valid choice."),
        ("?period=month&day=2026-02-30", "Enter a valid date."),
    ],
)
def test_bad_dates_give_a_clear_error_not_a_500(
    chatter: Chatter, alice_client: Client, query: str, message: str
) -> None:
    resp = alice_client.get("/w/acme/audit/" + query)
    assert resp.status_code == 400 and message in _text(resp)
    assert 'aria-invalid="true"' in _text(resp)
    for path in ("/w/acme/audit/report.pdf", "/w/acme/audit/chart/share.svg"):
        resp = alice_client.get(path + query)
        assert resp.status_code == 400 and message in _text(resp)


def test_custom_dates(chatter: Chatter, alice_client: Client) -> None:
    resp = alice_client.get("/w/acme/audit/?period=custom&start=2026-03-01&end=2026-03-07")
    assert resp.status_code == 200
    assert "01 Mar 2026 \N{EN DASH} 07 Mar 2026" in _text(resp) and "22 Feb 2026 \N{EN DASH} 28 Feb 2026" in _text(resp)


def test_charts_are_svg_without_script(chatter: Chatter, alice_client: Client) -> None:
    for kind, title in (("volume", "Mentions per day"), ("share", "Share of voice"), ("sentiment", "Sentiment")):
        resp = alice_client.get(f"/w/acme/audit/chart/{kind}.svg" + MARCH)
        assert resp.status_code == 200 and resp["Content-Type"] == "image/svg+xml"
        assert resp["Content-Security-Policy"].startswith("default-src 'none'")
        body = resp.content
        assert b"<script" not in body and title.encode() in body
    assert b"Northwind (60%)" in alice_client.get("/w/acme/audit/chart/share.svg" + MARCH).content
    assert alice_client.get("/w/acme/audit/chart/nonsense.svg" + MARCH).status_code == 404


def test_pdf_has_title_page_summary_tables_and_page_numbers(chatter: Chatter, alice_client: Client) -> None:
    resp = alice_client.get("/w/acme/audit/report.pdf" + MARCH)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert 'filename="chatter-audit-acme-2026-03-01-2026-03-31.pdf"' in resp["Content-Disposition"]
    reader = PdfReader(io.BytesIO(resp.content))
    assert len(reader.pages) >= 3
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert "Chatter audit" in pages[0] and "Acme" in pages[0] and "March 2026" in pages[0]
    text = " ".join(pages)
    assert "People mentioned Northwind 12 times in March 2026, 20% more than in February 2026." in text
    assert "Share of voice" in text and "Top posts" in text and "Top authors" in text and "zipper recall" in text
    assert "outdoorsy" in text and "+20%" in text
    assert all(f"Page {i + 1}" in page for i, page in enumerate(pages))
    assert reader.metadata is not None and reader.metadata.title == "Chatter audit: Acme, March 2026"


def test_empty_states(workspace: Workspace, alice: Membership, alice_client: Client) -> None:
    html = _text(alice_client.get("/w/acme/audit/" + MARCH))
    assert "No topics yet" in html and "/w/acme/listening/topics/" in html
    Topic.objects.create(workspace=workspace, name="Northwind", kind=TopicKind.BRAND, query="northwind")
    html = _text(alice_client.get("/w/acme/audit/" + MARCH))
    assert "No mentions in March 2026" in html and "longer period" in html
    resp = alice_client.get("/w/acme/audit/report.pdf" + MARCH)
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "No mentions in March 2026" in " ".join(text.split())


def test_report_page_query_count_does_not_grow(
    chatter: Chatter, alice_client: Client, django_assert_max_num_queries: Any
) -> None:
    from groundswell.audit.tests.factories import hear, source

    alice_client.get("/w/acme/audit/" + MARCH)
    with django_assert_max_num_queries(20) as ctx:
        alice_client.get("/w/acme/audit/" + MARCH)
    count = len(ctx.captured_queries)
    src = source(chatter.ws)
    import datetime as dt

    for i in range(30):
        hear(src, chatter.topics["Fabrikam"], dt.date(2026, 3, 1 + i % 28), f"Fabrikam boots again {i}", author=f"x{i}")
    with django_assert_max_num_queries(count):
        alice_client.get("/w/acme/audit/" + MARCH)


def test_schedule_add_duplicate_and_remove(
    chatter: Chatter, alice: Membership, bob: Membership, carol: Membership, charlie: Membership
) -> None:
    client = client_for(carol)  # managers may schedule too
    resp = client.post("/w/acme/audit/schedules/", {"member": bob.pk, "frequency": "weekly"}, follow=True)
    assert resp.status_code == 200 and "Recipient added" in _text(resp)
    sub = ReportSubscription.objects.get()
    assert (sub.member, sub.frequency, sub.created_by) == (bob, "weekly", carol)
    resp = client.post("/w/acme/audit/schedules/", {"member": bob.pk, "frequency": "weekly"})
    assert resp.status_code == 400 and "already gets this report" in _text(resp)
    resp = client.post("/w/acme/audit/schedules/", {"member": charlie.pk, "frequency": "weekly"})
    assert resp.status_code == 400 and "Select a valid choice" in _text(resp)  # not a member of Acme
    resp = client.post("/w/acme/audit/schedules/", {"member": bob.pk, "frequency": "hourly"})
    assert resp.status_code == 400 and "Select a valid choice" in _text(resp)
    assert client_for(charlie).post(f"/w/acme/audit/schedules/{sub.pk}/delete/").status_code == 404
    assert client_for(charlie).post(f"/w/globex/audit/schedules/{sub.pk}/delete/").status_code == 404
    assert client_for(bob).post(f"/w/acme/audit/schedules/{sub.pk}/delete/").status_code == 404
    resp = client_for(alice).post(f"/w/acme/audit/schedules/{sub.pk}/delete/", follow=True)
    assert "no longer gets the weekly report" in _text(resp)
    assert not ReportSubscription.objects.exists()


def test_pdf_prints_names_in_other_scripts(chatter: Chatter, alice_client: Client, settings: Any) -> None:
    """With DejaVu Sans embedded (Debian's fonts-dejavu-core, installed on the CI machines), Polish and
    Cyrillic authors and posts print as written, not as missing glyphs."""
    import datetime as dt
    import os

    from groundswell.audit import pdf
    from groundswell.audit.tests.factories import hear, source

    assert os.path.exists(settings.AUDIT_PDF_FONT), (
        f"{settings.AUDIT_PDF_FONT} is missing: `make test` installs fonts-dejavu-core as root "
        "(or apt-get install fonts-dejavu-core, or set AUDIT_PDF_FONT)"
    )
    assert (pdf.FONT, pdf.FONT_BOLD) == ("GSSans", "GSSans-Bold")
    src = source(chatter.ws)
    brand = chatter.topics["Northwind"]

    for name, text in [
        ("łukasz_żółć", "Northwind kurtka jest świetna, polecam każdemu"),
        ("Дмитрий", "Northwind — лучшие куртки для походов, очень доволен"),
    ]:
        for _ in range(6):  # enough to reach the top authors
            hear(src, brand, dt.date(2026, 3, 20), text, author=name, likes=500)
    resp = alice_client.get("/w/acme/audit/report.pdf" + MARCH)
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "łukasz_żółć" in text and "Дмитрий" in text and "лучшие куртки" in text


def test_without_the_font_the_pdf_falls_back_to_helvetica(tmp_path: Any) -> None:
    from groundswell.audit import pdf

    missing = str(tmp_path / "nope.ttf")
    assert pdf._register_fonts(missing, missing) == ("Helvetica", "Helvetica-Bold")


def test_remove_button_name_starts_with_its_visible_text(chatter: Chatter, alice: Membership, bob: Membership) -> None:
    """axe label-content-name-mismatch (found by bench-ui): a voice user says "Remove", so the name must hold it."""
    client_for(alice).post("/w/acme/audit/schedules/", {"member": bob.pk, "frequency": "weekly"})
    html = client_for(alice).get("/w/acme/audit/schedules/").content.decode()
    button = re.search(r'<button type="submit" class="link" aria-label="([^"]*)">([^<]*)</button>', html)
    assert button is not None
    assert button.group(2) == "Remove"
    assert button.group(1).startswith("Remove ") and bob.display_name in button.group(1)
