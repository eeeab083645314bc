"""End to end in headless Chromium (Debian's package, driven by Playwright): log in, search in Arabic, open a
profile, check the Arabic layout is right-to-left. Without /usr/bin/chromium these skip, unless
ICTDB_REQUIRE_BROWSER=1 (CI) makes that a failure."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from conftest import Clock, free_port
from factories import person, seed_agencies
from ictdb.api.app import create_app
from ictdb.services.node import IdFactory, Node
from ictdb.storage.store import Store

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("ICTDB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is required (ICTDB_REQUIRE_BROWSER=1) but missing")
    pytest.skip(f"{CHROMIUM} is not installed")


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, Node, str]]:
    _require_chromium()
    database = tmp_path / "browser.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    node = Node(store=Store.open(f"sqlite:///{database}"), clock=Clock(), new_id=IdFactory(99))
    actors = seed_agencies(node)
    record = person(node, actors["JO-GID"], "Abu Bakr al-Baghdadi", "أبو بكر البغدادي", distribution="members")
    port = free_port()
    # Plain HTTP on loopback: Chromium keeps Secure cookies for 127.0.0.1, but set them without the flag anyway.
    server = uvicorn.Server(
        uvicorn.Config(create_app(node, secure_cookies=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}", node, record.id
    server.should_exit = True
    thread.join(10)
    node.store.close()


def test_log_in_search_in_arabic_and_open_a_profile(served: tuple[str, Node, str]) -> None:
    from playwright.sync_api import sync_playwright

    base, _, record_id = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/login?lang=ar")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.fill("input[name=username]", "officer.fr-dgsi")
            page.fill("input[name=password]", "correct horse battery")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.fill("input[name=q]", "ابو بكر البغدادي")
            page.press("input[name=q]", "Enter")
            link = page.locator(f'a[href="/records/{record_id}"]')
            link.wait_for()
            assert page.locator("html").get_attribute("dir") == "rtl"
            # right-to-left layout: the first column of the results sits at the right edge
            table = page.locator("table.results").bounding_box()
            score = page.locator("td.score").first.bounding_box()
            assert table and score and score["x"] + score["width"] > table["x"] + table["width"] / 2
            link.click()
            page.wait_for_url(f"{base}/records/{record_id}")
            assert "أبو بكر البغدادي" in page.inner_text("main")
            assert page.locator("dd").first.inner_text() == "JO-GID"
        finally:
            browser.close()


def test_screen_a_manifest_watch_it_finish_and_confirm_a_match(served: tuple[str, Node, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, _, record_id = served
    manifest = tmp_path / "flight-rj123.csv"
    manifest.write_text("id,name,birth_date\nP1,أبو بكر البغدادي,1971\nP2,Marie Curie,1867\n", encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/login?lang=en")
            page.fill("input[name=username]", "officer.fr-dgsi")
            page.fill("input[name=password]", "correct horse battery")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.click('a[href="/screenings"]')
            page.set_input_files("input[name=file]", str(manifest))
            page.click("form.upload button[type=submit]")
            page.wait_for_url(f"{base}/screenings/scr-*")
            # the page polls the job and shows the results when it is done
            match = page.locator(f'.match a[href="/records/{record_id}"]')
            match.wait_for(timeout=30_000)
            page.fill("form.decide input[name=reason]", "birth year and name agree")
            page.click("form.decide button[value=confirm]")
            page.locator(".decided-confirm").wait_for()
            assert "birth year and name agree" in page.inner_text(".decided-confirm")
        finally:
            browser.close()
