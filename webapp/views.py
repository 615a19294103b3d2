"""The pages and the JSON API; each view turns a request into indexer calls and a template."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_file, \
    url_for

from indexer import READ_STATUSES, TEXT_LABELS, BadRequest, Export, SearchRequest, csv_chunks

from . import feed as atom, formatting, params, reading
from .alerts import alert_fields
from .archive import checked_id, get_index, meeting_or_404
from .headers import FILE_SECURITY_POLICY, INLINE_PDF_SECURITY_POLICY
from .history import group_history, year_chart
from .meeting_zip import zip_chunks
from .meetings import decisions_by_meeting, folder_date, folder_name, item_anchor, item_fragment, place_anchors, \
    meeting_json, meeting_page

bp = Blueprint("web", __name__)

# Served inline (the browser shows them); everything else is a download.
INLINE_TYPES = {"pdf": "application/pdf"}
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
    "md": "text/plain",
    "csv": "text/csv",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "tif": "image/tiff", "tiff": "image/tiff",
}


# -- search ---------------------------------------------------------------------------
def _request_or_400() -> SearchRequest:
    try:
        return params.search_request(request.args)
    except params.ParamError as e:
        abort(400, description=str(e))


def _search(req: SearchRequest):
    try:
        return get_index().search(req)
    except BadRequest as e:
        abort(400, description=f"Sökningen kunde inte göras: {e}.")


def _label(config):
    def label(facet: str, value: str) -> str:
        if facet == "group":
            group = config.group(value)
            return group.name if group else value
        if facet == "type":
            return formatting.type_label(value)
        if facet == "text":
            return TEXT_LABELS.get(value, value)
        return value
    return label


@bp.get("/")
def search():
    req = _request_or_400()
    canonical = params.url_args(req)
    if sorted(request.args.items(multi=True)) != sorted(canonical):
        # A submitted form carries empty fields and defaults: show the short, shareable URL.
        return redirect(params.search_url(req, url_for("web.search")))
    index = get_index()
    result = _search(req)
    base = url_for("web.search")
    label = _label(index.config)
    last_page = max(1, -(-result.total // result.per_page))
    hits = [{"hit": h, "format": formatting.format_of_id(h.id), "group_name": label("group", h.group),
             "meeting_url": url_for("web.meeting", group=h.group, folder=folder_name(h.meeting)) if h.meeting else None,
             "meeting_date": folder_date(h.meeting) if h.meeting else None,
             "anchor": item_anchor(h.item[0]) if h.item else None}
            for h in result.hits]
    return render_template(
        "search.html",
        req=req,
        result=result,
        hits=hits,
        facets=params.facets(result, req, label, base),
        filters=params.active_filters(req, label, formatting.sv_date, base),
        clear_url=params.search_url(params.cleared(req), base),
        has_filters=params.has_filters(req),
        suggestion_url=params.suggestion_url(req, result.suggestion, base) if result.suggestion else None,
        exact_url=params.exact_url(req, base),
        pages=params.page_numbers(req.page, last_page),
        page_url=lambda n: params.page_url(req, n, base),
        last_page=last_page,
        first_number=(result.page - 1) * result.per_page + 1,
        sort_in_force=sort_in_force(req),
        sort_options=sort_options(req),
        browsing=not req.query and not params.has_filters(req),
        feed_url=feed_url(req),
        export_url=export_url(req),
        alert_fields=alert_fields(_followed(req)),
    )


def sort_in_force(req: SearchRequest) -> str:
    """The order the hits come in: without words there is nothing to rank, so newest first."""
    return req.sort if req.query or req.sort != "relevance" else "newest"


def sort_options(req: SearchRequest) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for the sort menu, the order in force selected.

    Without words, "nyast" is the default (an empty value), so a query typed next into
    the same form is still ranked by relevance.
    """
    shown = sort_in_force(req)
    if req.query:
        return [(v, label, v == shown) for v, label in params.SORT_LABELS.items()]
    newest = "newest" if req.sort == "newest" else ""
    return [(newest, params.SORT_LABELS["newest"], shown == "newest"),
            ("oldest", params.SORT_LABELS["oldest"], shown == "oldest")]


@bp.get("/api/search")
def api_search():
    req = _request_or_400()
    return jsonify(_search(req).to_json())


# -- following a search: the feed and the export --------------------------------------------
FEED_ENTRIES = 50


def _followed(req: SearchRequest) -> SearchRequest:
    """The search a feed or an export follows: its filters and words; page, size and order its own."""
    return replace(req, sort="relevance", page=1, per_page=params.PER_PAGE)


def feed_url(req: SearchRequest, external: bool = False) -> str:
    return params.search_url(_followed(req), url_for("web.feed", _external=external))


def _updated(index, hit) -> datetime:
    """A document's date; one without: its file's last change (the feed's order puts it last anyway)."""
    if hit.date:
        return atom.day_start(hit.date)
    path = index.file_path(hit.id)
    try:
        return datetime.fromtimestamp(int(path.stat().st_mtime), timezone.utc) if path else atom.EPOCH
    except OSError:
        return atom.EPOCH


@bp.get("/feed.atom")
def feed():
    req = _request_or_400()
    index = get_index()
    result = _search(replace(_followed(req), sort="newest", per_page=FEED_ENTRIES))
    label = _label(index.config)
    root = url_for("web.search", _external=True)
    entries = [atom.Entry(hit=h, url=url_for("web.document", doc_id=h.id, _external=True),
                          updated=_updated(index, h), group_name=label("group", h.group),
                          type_label=label("type", h.type)) for h in result.hits]
    described = [req.query] if req.query else []
    described += [f.label for f in params.active_filters(req, label, formatting.sv_date)]
    info = atom.Feed(title=f"{index.config.name}: {', '.join(described) or 'nya dokument'}",
                     self_url=feed_url(req, external=True), author=index.config.name, categories_base=root,
                     html_url=params.search_url(replace(_followed(req), sort="newest"), root))
    body = atom.atom(info, entries, now=lambda: datetime.now(timezone.utc))
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def export_url(req: SearchRequest) -> str:
    return params.search_url(replace(_followed(req), sort=req.sort), url_for("web.export"))


@bp.get("/export.csv")
def export():
    req = _request_or_400()
    index = get_index()
    # The first page is searched now, so a bad search is a 400 and the cap is known for the header.
    try:
        found = Export(index.search, req)
    except BadRequest as e:
        abort(400, description=f"Sökningen kunde inte göras: {e}.")
    response = Response(csv_chunks(found, request.url_root), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename=natverksarkivet-sokning.csv"
    response.headers["X-Arkiv-Total"] = str(found.total)
    if found.capped:
        response.headers["X-Arkiv-Capped"] = str(found.limit)
    return response


# -- groups -----------------------------------------------------------------------------
# The timeline shows the decisions of the group's newest meetings, at most this many in all
# (the most SearchIndex.decisions gives at once); the decisions page lists every one.
TIMELINE_DECISIONS = 500


def _group_or_404(slug: str):
    info = get_index().config.group(slug)
    if info is None:
        abort(404)
    return info


@bp.get("/groups/<slug>")
def group(slug: str):
    index = get_index()
    info = _group_or_404(slug)
    history = group_history(index.documents(group=slug))
    decisions = index.decisions(group=slug, limit=TIMELINE_DECISIONS)
    return render_template("group.html", group=info, history=history, chart=year_chart(history.years),
                           feed_url=feed_url(SearchRequest(groups=(slug,))),
                           decisions=decisions_by_meeting(decisions.decisions), decision_total=decisions.total,
                           folder_name=folder_name)


def _decision_query(group: str | None = None) -> params.DecisionQuery:
    try:
        return params.decision_query(request.args, [g.slug for g in get_index().config.groups], group=group)
    except params.ParamError as e:
        abort(400, description=str(e))


def _decisions(q: params.DecisionQuery):
    try:
        return get_index().decisions(group=q.group, query=q.query, date_from=q.date_from, date_to=q.date_to,
                                     limit=q.per_page, offset=q.offset)
    except BadRequest as e:
        abort(400, description=f"Sökningen kunde inte göras: {e}.")


@bp.get("/groups/<slug>/decisions")
def decisions(slug: str):
    info = _group_or_404(slug)
    q = _decision_query(group=slug)
    found = _decisions(q)
    base = url_for("web.decisions", slug=slug)
    last_page = min(max(1, -(-found.total // q.per_page)), params.MAX_DECISION_PAGE)
    return render_template("decisions.html", group=info, q=q, found=found, last_page=last_page,
                           pages=params.page_numbers(q.page, last_page),
                           page_url=lambda n: params.decision_url(q, base, page=n),
                           clear_url=base, fragment=item_fragment, folder_name=folder_name,
                           first_number=q.offset + 1)


@bp.get("/api/decisions")
def api_decisions():
    return jsonify(_decisions(_decision_query()).to_json())


# -- meetings -----------------------------------------------------------------------------
@bp.get("/meetings/<group>/<folder>")
def meeting(group: str, folder: str):
    record = meeting_or_404(group, folder)
    info = get_index().config.group(group)
    neighbours = {k: (f, folder_date(f)) if f else None for k, f in (("previous", record.previous),
                                                                      ("next", record.next))}
    return render_template("meeting.html", page=meeting_page(record), m=record.meeting, group=info,
                           neighbours=neighbours, zip_url=url_for("web.meeting_zip", group=group, folder=folder),
                           fragment=item_fragment, folder_name=folder_name,
                           feed_url=feed_url(SearchRequest(groups=(group,))))


@bp.get("/api/meetings/<group>/<folder>")
def api_meeting(group: str, folder: str):
    return jsonify(meeting_json(meeting_or_404(group, folder)))


@bp.get("/meetings/<group>/<folder>/documents.zip", endpoint="meeting_zip")
def meeting_zip(group: str, folder: str):
    """Every document of one meeting folder (trashed ones are not in it), as a ZIP streamed while written."""
    _group_or_404(group)
    index = get_index()
    where = f"{group}/{folder}"
    docs = sorted((d for d in index.documents(group=group) if d.meeting and d.meeting.folder == where),
                  key=lambda d: d.filename.casefold())
    files = [(d.filename, path) for d in docs if (path := index.file_path(d.id)) is not None]
    if not files:
        abort(404)  # no such meeting, or nothing of it left to give
    response = Response(zip_chunks(files), mimetype="application/zip")
    response.headers.set("Content-Disposition", "attachment", filename=f"{group}-{folder}.zip")
    response.headers["Cache-Control"] = "no-store"  # the meeting's documents can change at any time
    return response


# -- documents and files --------------------------------------------------------------------
@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    index = get_index()
    doc = index.document(checked_id(doc_id))
    if doc is None or index.file_path(doc.id) is None:
        # Unknown, or its file is gone (or became a link) since it was indexed.
        abort(404)
    query = request.args.get("q", "").strip()
    # Mark what the search itself matched: word forms, compound parts, synonyms, å/ä/ö.
    spans = index.highlighter(query)
    siblings = []
    if doc.meeting is not None:
        siblings = [d for d in index.documents(group=doc.group)
                    if d.meeting and d.meeting.folder == doc.meeting.folder and d.id != doc.id]
    sibling_ids = {d.id for d in siblings}
    pages = place_anchors(reading.document_pages(doc, spans), doc)
    group_info = index.config.group(doc.group)
    return render_template(
        "document.html",
        doc=doc,
        query=query,
        pages=pages,
        matching_pages=[p.number for p in pages if p.matches],
        first_match=reading.FIRST_MATCH,
        siblings=siblings,
        similar=[d for d in index.similar(doc.id, 5 + len(siblings)) if d.id not in sibling_ids][:5],
        group_name=group_info.name if group_info else doc.group,
        page_word=lambda n, capital=False: formatting.page_word(doc.format, n, capital),
    )


@bp.get("/files/<path:doc_id>")
def file(doc_id: str):
    index = get_index()
    path = index.file_path(checked_id(doc_id))
    doc = index.document(doc_id, with_text=False) if path is not None else None
    if doc is None:
        abort(404)
    ext = path.suffix.lower().lstrip(".")
    # Shown in the browser only what was read as that format; anything else is a download.
    readable = doc.format == ext and doc.status in READ_STATUSES
    inline = ext in INLINE_TYPES and readable and request.args.get("download") != "1"
    mimetype = INLINE_TYPES.get(ext) or MIMETYPES.get(ext) or "application/octet-stream"
    response = send_file(path, mimetype=mimetype, as_attachment=not inline,
                         download_name=doc_id.rsplit("/", 1)[-1], conditional=True, max_age=0)
    response.headers["Content-Security-Policy"] = INLINE_PDF_SECURITY_POLICY if inline else FILE_SECURITY_POLICY
    return response
