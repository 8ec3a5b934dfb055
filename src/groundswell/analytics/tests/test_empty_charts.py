"""Guard: every chart the product serves renders an empty state in a brand-new workspace (no topics, no
shares, no volunteers), never a 500. New ``*.svg`` URLs must be listed here, so none is forgotten."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from groundswell.analytics.views import CHART_KINDS
from groundswell.audit.charts import CHARTS as AUDIT_CHARTS
from groundswell.enrolment.models import CallForInterest
from groundswell.workspaces.models import Membership, Workspace

EMPTY_MESSAGES = (
    b"No shares or clicks in this period yet.",
    b"No listening topics yet",
    b"Nobody has volunteered yet.",
)


def _svg_url_names(patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _svg_url_names(entry.url_patterns, namespace)
        elif str(entry.pattern).endswith(".svg") and entry.name:
            names.add(f"{prefix}{entry.name}")
    return names


def _chart_urls(workspace: Workspace, alice: Membership) -> dict[str, list[str]]:
    call = CallForInterest.objects.create(
        workspace=workspace,
        title="Who wants to help?",
        message="Tell us.",
        opened_by=alice,
        deadline=(timezone.now() + dt.timedelta(days=7)).date(),
    )
    ws = workspace.slug
    return {
        "analytics:chart": [reverse("analytics:chart", kwargs={"ws": ws, "kind": k}) for k in CHART_KINDS],
        "audit:chart": [reverse("audit:chart", kwargs={"ws": ws, "kind": k}) for k in AUDIT_CHARTS],
        "enrolment:call_chart": [reverse("enrolment:call_chart", kwargs={"ws": ws, "call_id": call.pk})],
    }


def test_every_chart_renders_an_empty_state_in_a_new_workspace(
    workspace: Workspace, alice: Membership, alice_client: Client
) -> None:
    urls = _chart_urls(workspace, alice)
    assert _svg_url_names() == set(urls), "a new chart URL: add it to this guard test"
    for name, paths in urls.items():
        for path in paths:
            response = alice_client.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            assert response["Content-Type"] == "image/svg+xml"
            assert response.content.startswith(b"<svg") and b"<script" not in response.content
            assert any(message in response.content for message in EMPTY_MESSAGES), (path, response.content[:300])


def test_the_audit_report_and_its_pdf_work_without_topics(workspace: Workspace, alice_client: Client) -> None:
    assert alice_client.get(reverse("audit:report", kwargs={"ws": workspace.slug})).status_code == 200
    pdf = alice_client.get(reverse("audit:pdf", kwargs={"ws": workspace.slug}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
