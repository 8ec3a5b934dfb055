from __future__ import annotations

from django.test import RequestFactory

from groundswell.lib.pages import paginate


def test_paginate_keeps_the_filters_and_drops_the_page() -> None:
    request = RequestFactory().get("/", {"topic": "3", "q": "tent & stove", "page": "2"})
    page, query = paginate(request, list(range(120)), 50)
    assert page.number == 2 and list(page.object_list) == list(range(50, 100))
    assert query == "topic=3&q=tent+%26+stove"


def test_paginate_turns_a_bad_page_into_a_real_one() -> None:
    for raw, number in (("abc", 1), ("0", 3), ("999", 3), ("-1", 3)):
        page, query = paginate(RequestFactory().get("/", {"page": raw}), list(range(120)), 50)
        assert page.number == number and query == ""
