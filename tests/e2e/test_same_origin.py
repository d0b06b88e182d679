"""The web app calls the API on its own origin (the front door), as deployed: no
request leaves for another API origin and no CORS preflight reaches the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.e2e.helpers import add_todo, new_email, sign_up


def test_the_api_is_called_on_the_pages_own_origin_without_preflight(page: Any, stack: Any) -> None:
    api_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            api_requests.append(f"{request.method} {request.url}")
            if urlsplit(request.url).path.startswith("/todos")
            else None
        ),
    )
    before = dict(stack.door.api_methods)
    sign_up(page, new_email("origin"))
    add_todo(page, "Same origin")
    page.reload()
    page.get_by_text("Same origin").wait_for()

    assert api_requests, "the web app made no API request"
    assert all(r.split(" ", 1)[1].startswith(stack.web_url + "/") for r in api_requests), (
        api_requests
    )
    through_door = {m: n - before.get(m, 0) for m, n in stack.door.api_methods.items()}
    assert through_door.get("GET", 0) > 0 and through_door.get("POST", 0) > 0, through_door
    assert through_door.get("OPTIONS", 0) == 0, f"CORS preflights reached the API: {through_door}"
