"""The inbox and request pages: a restricted hit to a request in one step, the owner's answer, unread counts."""

from __future__ import annotations

import re

from api.conftest import Api
from factories import person

NAME = "Abu Bakr al-Baghdadi"


def _log_in(api: Api, agency: str) -> None:
    username = f"officer.{agency.lower()}"
    answer = api.client.post("/login", data={"username": username, "password": "correct horse battery"})
    assert answer.status_code == 303


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _badge(html: str) -> int:
    found = re.search(r'href="/inbox">[^<]*<span class="badge"[^>]*>(\d+)</span>', html)
    return int(found.group(1)) if found else 0


def test_from_a_restricted_hit_to_a_granted_copy_in_the_pages(api: Api) -> None:
    hidden = person(api.node, api.actors["DE-BKA"], NAME, distribution="owner", hit_policy="hit-no-hit")
    _log_in(api, "FR-DGSI")
    found = api.client.get("/", params={"q": NAME})
    assert hidden.id not in found.text and 'name="hit" value="hit-' in found.text
    hit = re.search(r'name="hit" value="([^"]+)"', found.text)
    assert hit
    form = {"hit": hit.group(1), "justification": "<script>x</script> on flight TK1827", "urgency": "urgent"}
    assert api.client.post("/requests", data=form).status_code == 401  # no CSRF token
    opened = api.client.post("/requests", data={**form, "csrf": _csrf(found.text)})
    assert opened.status_code == 303
    page_url = opened.headers["location"]
    request_id = page_url.rsplit("/", 1)[1]
    shown = api.client.get(page_url)
    assert "&lt;script&gt;x&lt;/script&gt;" in shown.text and "<script>x</script>" not in shown.text
    assert hidden.id not in shown.text and 'action="/requests/' not in shown.text  # the asker cannot answer
    assert request_id in api.client.get("/requests", params={"box": "sent"}).text

    _log_in(api, "DE-BKA")
    home = api.client.get("/")
    assert _badge(home.text) == 2  # the hit notice and the request
    box = api.client.get("/inbox", params={"lang": "ar"})
    assert '<html lang="ar" dir="rtl">' in box.text and f'href="/requests/{request_id}"' in box.text
    assert f'href="/records/{hidden.id}"' in box.text
    received = api.client.get(page_url, params={"lang": "en"})
    assert f'action="/requests/{request_id}/answer"' in received.text and hidden.id in received.text
    answer = {"decision": "grant", "as_copy": "1", "text": "for the operation", "csrf": _csrf(received.text)}
    assert api.client.post(f"/requests/{request_id}/answer", data=answer).status_code == 303
    again = api.client.post(f"/requests/{request_id}/answer", data=answer)
    assert again.status_code == 409 and 'role="alert"' in again.text
    # PostgreSQL text cannot hold NUL: a form field with one is refused before any page reads it
    unread = _badge(api.client.get("/inbox").text)
    hostile = api.client.post("/inbox/read", data={"csrf": _csrf(received.text), "alert": "alr-\x00"})
    assert hostile.status_code == 422 and _badge(api.client.get("/inbox").text) == unread > 0
    read = api.client.post("/inbox/read", data={"csrf": _csrf(received.text)})
    assert read.status_code == 303 and _badge(api.client.get("/inbox").text) == 0

    _log_in(api, "FR-DGSI")
    assert _badge(api.client.get("/").text) == 1
    granted = api.client.get(page_url)
    copies = re.findall(r'href="/records/([^"]+)"', granted.text)
    assert copies and hidden.id not in copies
    assert api.client.get(f"/records/{copies[0]}").status_code == 200
    assert api.client.get(f"/records/{hidden.id}").status_code == 404


def test_decline_needs_a_reason_and_others_see_nothing(api: Api) -> None:
    _log_in(api, "FR-DGSI")
    page = api.client.get("/requests")
    opened = api.client.post(
        "/requests", data={"to": "DE-BKA", "justification": "any travel?", "csrf": _csrf(page.text)}
    )
    url = opened.headers["location"]
    bad = api.client.post("/requests", data={"to": "XX-NONE", "justification": "x", "csrf": _csrf(page.text)})
    assert bad.status_code == 404 and 'role="alert"' in bad.text

    _log_in(api, "JO-GID")
    assert api.client.get(url).status_code == 404
    assert url.rsplit("/", 1)[1] not in api.client.get("/requests").text

    _log_in(api, "DE-BKA")
    shown = api.client.get(url)
    no_reason = api.client.post(f"{url}/answer", data={"decision": "decline", "csrf": _csrf(shown.text)})
    assert no_reason.status_code == 422 and 'role="alert"' in no_reason.text
    declined = api.client.post(
        f"{url}/answer", data={"decision": "decline", "text": "source protection", "csrf": _csrf(shown.text)}
    )
    assert declined.status_code == 303
    assert "source protection" in api.client.get(url, params={"lang": "ru"}).text
