"""One page of a long list, with the list's filters kept in the links to the other pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Sequence[Any] | Any, per_page: int) -> tuple[Page[Any], str]:
    """The requested page (a bad or too-high ``page`` gives the nearest real page, never an error) and the
    query string of every other GET parameter, for ``templates/_pager.html`` to append ``page=`` to."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
