"""The analysts' pages: server-rendered from the templates in ``ictdb.web``, over the same services as the API.

Every form posts the session's CSRF token; every value is escaped by Jinja2's autoescape, so a name or a
report containing markup shows as text.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from ictdb.api import worldmap
from ictdb.api.deps import SESSION_COOKIE, config_of, node_of
from ictdb.api.graph_layout import force_layout
from ictdb.model.actors import Actor
from ictdb.model.errors import Conflict, ImportFailed, NotFound, Unauthenticated, ValidationError
from ictdb.model.records import Movement
from ictdb.model.stored import body_to_data
from ictdb.model.vocab import Role
from ictdb.services import audit, auth, network, records, screening_jobs
from ictdb.services.auth import Session
from ictdb.services.cooperation import inbox, movements
from ictdb.services.search import MatchQuery, search

ASSETS = "ictdb.web"
LANGUAGES = (("en", "English"), ("ar", "العربية"), ("ru", "Русский"))
LANG_COOKIE = "ictdb_lang"
_SKIP_DETAILS = {"schema", "names", "identifiers"}

router = APIRouter(include_in_schema=False)


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader(ASSETS, "templates"), autoescape=select_autoescape(default=True))


@cache
def catalogue(lang: str) -> dict[str, str]:
    text = files(ASSETS).joinpath("i18n", f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def language(request: Request) -> str:
    codes = {code for code, _ in LANGUAGES}
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in codes:
            return candidate
    accept = request.headers.get("accept-language", "")[:2].lower()
    return accept if accept in codes else "en"


def _session(request: Request) -> tuple[Actor, Session] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return auth.session_actor(node_of(request), cookie, config_of(request).session_key)
    except Unauthenticated:
        return None


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    found = _session(request)
    actor = found[0] if found else None
    html = (
        _environment()
        .get_template(template)
        .render(
            t=catalogue(lang),
            lang=lang,
            languages=LANGUAGES,
            actor=actor,
            csrf=found[1].csrf if found else "",
            can_audit=bool(actor and actor.has(Role.SUPERVISOR)),
            unread=inbox.unread_count(node_of(request), actor) if actor else 0,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "login.html", failed=False)


@router.post("/login")
def login_form(
    request: Request, username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=1024)]
) -> Response:
    node = node_of(request)
    try:
        actor = auth.login(node, username, password)
    except Unauthenticated:
        return render(request, "login.html", status=401, failed=True)
    config = config_of(request)
    cookie, _ = auth.open_session(node, actor, config.session_key)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(auth.SESSION_TTL.total_seconds()),
        httponly=True,
        secure=config.secure_cookies,
        samesite="strict",
        path="/",
    )
    return response


def _checked(request: Request, csrf: str) -> Actor | None:
    found = _session(request)
    if found is None:
        return None
    auth.check_csrf(found[1], csrf)
    return found[0]


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    _checked(request, csrf)
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def search_page(request: Request, q: str = "") -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    q = q.strip()[:300]
    results: list[Any] = []
    restricted: list[str] = []
    hit_refs: dict[str, str] = {}
    if q and any(ch.isalpha() for ch in q):
        outcome = search(node_of(request), found[0], MatchQuery(names=(q,)), limit=25)
        results, restricted, hit_refs = outcome.matches, outcome.restricted_owners, outcome.hit_refs
    return render(request, "search.html", q=q, results=results, restricted=restricted, hit_refs=hit_refs)


def _names_by_script(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for name in data.get("names", []):
        groups.setdefault(name.get("script") or "?", []).append(name)
    return sorted(groups.items())


@router.get("/records/{record_id}")
def record_page(request: Request, record_id: str) -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    node, actor = node_of(request), found[0]
    try:
        record = records.get_record(node, actor, record_id)
    except NotFound:
        return render(request, "search.html", status=404, q="", results=[], restricted=[])
    data = body_to_data(record.body)
    details = [(k, v) for k, v in data.items() if k not in _SKIP_DETAILS]
    return render(
        request,
        "record.html",
        record=record,
        names_by_script=_names_by_script(data),
        identifiers=data.get("identifiers", []),
        details=details,
        links=records.linked_records(node, actor, record_id),
        history=records.record_history(node, actor, record_id),
    )


def _place(place: Any) -> str:
    parts = [place.place, place.point_of_entry, place.country]
    return ", ".join(p for p in parts if p) or "?"


@router.get("/records/{record_id}/movements")
def movements_page(request: Request, record_id: str) -> Response:
    """A person's travel: a world map with an arrow per movement between countries, and the timeline."""
    found = _session(request)
    if found is None:
        return _to_login()
    node, actor = node_of(request), found[0]
    person = records.get_record(node, actor, record_id)
    trips = movements.timeline(node, actor, record_id) if person.schema_name == "Person" else []
    steps: list[Any] = []
    arrows: list[worldmap.Arrow] = []
    visited: set[str] = set()
    for trip in trips:
        body = trip.body
        assert isinstance(body, Movement)
        origin, destination = body.origin.country, body.destination.country
        visited.update(c for c in (origin, destination) if c)
        when = body.departure or body.arrival
        label = f"{when:%Y-%m-%d} " if when else ""
        label += f"{_place(body.origin)} → {_place(body.destination)}"
        drawn = worldmap.arrow(origin, destination, label) if origin and destination else None
        if drawn:
            arrows.append(drawn)
        steps.append((trip, body, when, drawn is not None))
    return render(
        request,
        "movements.html",
        person=person,
        steps=steps,
        arrows=arrows,
        visited=visited,
        countries=worldmap.countries().values(),
        width=worldmap.WIDTH,
        height=worldmap.HEIGHT,
        place=_place,
    )


MAX_NETWORK = 80
NETWORK_SIZE = (900.0, 600.0)
MAX_PAGE_HOPS = 3


@router.get("/records/{record_id}/network")
def network_page(request: Request, record_id: str, hops: int = 1, to: str | None = None) -> Response:
    """A person's or group's neighbourhood (members, associates, group lineage) drawn on a force layout computed
    on the server; for a group also its lineage over time and its most central members; and, on request, the
    shortest chain to another record. All from the network queries, over what the viewer may see."""
    found = _session(request)
    if found is None:
        return _to_login()
    node, actor = node_of(request), found[0]
    hops = min(max(hops, 1), MAX_PAGE_HOPS)
    hood = network.neighbours(node, actor, record_id, hops)
    # the nearest first, so a crowded neighbourhood keeps its centre readable
    kept = set(sorted(hood.records, key=lambda r: (hood.records[r], r))[:MAX_NETWORK])
    edges = [link for link in hood.links if link.source in kept and link.target in kept]
    width, height = NETWORK_SIZE
    positions = force_layout(
        sorted(kept), [(e.source, e.target) for e in edges], center=record_id, width=width, height=height
    )
    is_group = hood.schemas.get(record_id) == "Organization"
    target = (to or "").strip()
    chain, chain_unknown = None, False
    if target:
        try:
            chain = network.path(node, actor, record_id, target)
        except NotFound:
            chain_unknown = True  # a hidden record reads exactly like a missing one
    return render(
        request,
        "network.html",
        hood=hood,
        center=record_id,
        kept=sorted(kept, key=lambda r: (hood.records[r], r)),
        left_out=len(hood.records) - len(kept),
        edges=edges,
        positions=positions,
        hops=hops,
        max_hops=MAX_PAGE_HOPS,
        width=width,
        height=height,
        lineage=network.lineage(node, actor, record_id) if is_group else None,
        central=network.central(node, actor, record_id) if is_group else None,
        to=target,
        chain=chain,
        chain_unknown=chain_unknown,
    )


@router.get("/review")
def review_page(request: Request) -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    return render(request, "review.html", due=records.due_for_review(node_of(request), found[0]))


@router.post("/review/{record_id}")
def review_form(
    request: Request,
    record_id: str,
    review_by: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    actor = _checked(request, csrf)
    if actor is None:
        return _to_login()
    try:
        until = date.fromisoformat(review_by)
    except ValueError:
        raise ValidationError("a date as YYYY-MM-DD", "review_by") from None
    records.extend_review(node_of(request), actor, record_id, until, reason)
    return RedirectResponse("/review", status_code=303)


@router.get("/audit")
def audit_page(request: Request) -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    node, actor = node_of(request), found[0]
    t = catalogue(language(request))
    sections = [
        (t["accesses"], audit.accesses_to_mine(node, actor, limit=200)),
        (t["our_log"], audit.agency_log(node, actor, limit=200)),
    ]
    return render(request, "audit.html", sections=sections)


@router.get("/screenings")
def screenings_page(request: Request) -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    return render(request, "screenings.html", jobs=screening_jobs.list_jobs(node_of(request), found[0]), error=None)


@router.post("/screenings")
async def screening_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    format: Annotated[str, Form()] = "csv",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    actor = _checked(request, csrf)
    if actor is None:
        return _to_login()
    node = node_of(request)
    data = await file.read(screening_jobs.MAX_UPLOAD + 1)
    try:
        job = await run_in_threadpool(screening_jobs.start_job, node, actor, data, file.filename or "manifest", format)
    except (ImportFailed, ValidationError) as exc:
        jobs = screening_jobs.list_jobs(node, actor)
        return render(request, "screenings.html", status=422, jobs=jobs, error=exc.message)
    return RedirectResponse(f"/screenings/{job.id}", status_code=303)


@router.get("/screenings/{job_id}")
def screening_page(request: Request, job_id: str, error: str | None = None) -> Response:
    found = _session(request)
    if found is None:
        return _to_login()
    node, actor = node_of(request), found[0]
    job = screening_jobs.get_job(node, actor, job_id)
    rows = screening_jobs.job_rows(node, actor, job_id) if job.state == "done" else []
    return render(request, "screening.html", job=job, rows=rows, error=error)


@router.post("/screenings/{job_id}/rows/{row}/matches/{record_id}")
def screening_decision(
    request: Request,
    job_id: str,
    row: int,
    record_id: str,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    actor = _checked(request, csrf)
    if actor is None:
        return _to_login()
    try:
        screening_jobs.decide(node_of(request), actor, job_id, row, record_id, decision, reason)
    except (ValidationError, Conflict) as exc:
        return RedirectResponse(f"/screenings/{job_id}?{urlencode({'error': exc.message})}#row-{row}", status_code=303)
    return RedirectResponse(f"/screenings/{job_id}#row-{row}", status_code=303)


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    """An error met by a page, as a page: the same status and stable code as the API, in the user's language."""
    return render(request, "error.html", status=status, status_code=status, code=code, message=message)


def install(app: FastAPI) -> None:
    app.state.error_page = error_page
    app.include_router(router)
    from ictdb.api import ui_cooperation  # its pages render through this module

    app.include_router(ui_cooperation.router)
    app.mount("/static", StaticFiles(packages=[(ASSETS, "static")]), name="static")
