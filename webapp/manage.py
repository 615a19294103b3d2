"""Coordinators correct the archive: edit a document's metadata, move it, remove it, restore it.

    GET/POST /edit/<id>      title, date, type, themes -> the document's sidecar
    GET/POST /meetings/<group>/<folder>/edit   title, place, themes, speakers -> meeting.toml
    GET/POST /move/<id>      to another meeting (or a group's Övrigt)
    GET/POST /remove/<id>    to the trash, after a confirmation
    GET      /trash          what was removed, by whom and when
    POST     /trash/<key>/restore
    GET      /changes        the audit log, newest first: ?typ= (kind), ?vem= (person), ?sida= (page)
    POST     /changes/<id>/undo   an edit, a move or an upload batch undone, as a change of its own
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

import re

from indexer import DOCUMENT_TYPES, OTHER_FOLDER, ChangeError, ConfigError, MeetingFields, Sidecar, UndoRefused, \
    edit_document, edit_meeting, meeting_fields, move_document, place_name, remove_document, restore, trashed, \
    undo_change

from . import changelog
from .archive import archive_dir, checked_id, get_index, meeting_or_404
from .auth import coordinator_required, who
from .coordination import FOLDER_LABELS, meeting_choices, one_line, parse_day, reindex, speaker_lines, \
    speakers_text

bp = Blueprint("manage", __name__)

MAX_TEXT = 300
FIELD_LABELS = changelog.FIELD_LABELS
_CHANGE_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_SPEAKERS = 30


def _document_or_404(doc_id: str):
    doc = get_index().document(checked_id(doc_id))
    if doc is None:
        abort(404)
    return doc


# -- edit -------------------------------------------------------------------------------
@bp.route("/edit/<path:doc_id>", methods=["GET", "POST"])
@coordinator_required
def edit(doc_id: str):
    doc = _document_or_404(doc_id)
    config = get_index().config
    if request.method == "GET":
        return render_template("edit.html", doc=doc, errors={}, values=None, themes=config.themes,
                               types=DOCUMENT_TYPES)
    form = request.form
    errors: dict[str, str] = {}
    title = " ".join((form.get("title") or "").split())[:MAX_TEXT]
    try:
        day = parse_day(form.get("date", ""))
    except ValueError:
        day = None
        errors["date"] = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2024-03-14, eller lämna det tomt."
    kind = form.get("type", "")
    if kind not in DOCUMENT_TYPES:
        errors["type"] = "Välj en dokumenttyp i listan."
    known = {t.name for t in config.themes}
    chosen = tuple(t for t in form.getlist("themes") if t in known)
    if errors:
        return render_template("edit.html", doc=doc, errors=errors, values=form, themes=config.themes,
                               types=DOCUMENT_TYPES), 400
    by_person = {f for f, s in doc.sources.items() if s == "sidecar"}
    # A value goes into the sidecar when the person changed it, or had set it before;
    # an emptied title or date hands the field back to what the archive infers.
    sidecar = Sidecar(
        title=title if title and (title != doc.title or "title" in by_person) else None,
        date=day if day and (day != doc.date or "date" in by_person) else None,
        type=kind if kind != doc.type or "type" in by_person else None,
        themes=chosen if set(chosen) != set(doc.themes) or "themes" in by_person else None,
    )
    try:
        change = edit_document(archive_dir(), doc.id, sidecar, who())
    except ChangeError as e:
        abort(409, description=f"Uppgifterna kunde inte sparas: {e}.")
    _saved(change)
    return redirect(url_for("web.document", doc_id=doc.id), code=303)


def _saved(change) -> None:
    """After an edit: the index brought up to date, and the coordinator told which fields changed."""
    if change is None:
        flash("Inget ändrades.", "info")
        return
    reindex()
    fields = ", ".join(FIELD_LABELS[f] for f in change.detail.get("changed", {}))
    flash(f"Sparat: {fields}.", "success")


# -- a meeting's title, place, themes and speakers ---------------------------------------------
def _meeting_form(form, errors: dict[str, str]) -> MeetingFields:
    """The form's fields, checked; what is wrong goes into `errors` by field id."""
    title, place = one_line(form.get("title")), one_line(form.get("place"))
    for key, value, what in (("title", title, "Titeln"), ("place", place, "Platsen")):
        if len(value) > MAX_TEXT:
            errors[key] = f"{what} får vara högst {MAX_TEXT} tecken; den har {len(value)}."
    speakers = speaker_lines(form.get("speakers"))
    if len(speakers) > MAX_SPEAKERS:
        errors["speakers"] = f"Högst {MAX_SPEAKERS} talare; du skrev {len(speakers)}."
    elif any(len(s.name) > MAX_TEXT or len(s.organisation) > MAX_TEXT for s in speakers):
        errors["speakers"] = f"Ett namn eller en organisation får vara högst {MAX_TEXT} tecken."
    elif any(not s.name for s in speakers):
        errors["speakers"] = "Varje rad behöver ett namn före kommatecknet: namn, organisation."
    known = {t.name for t in get_index().config.themes}
    themes = tuple(dict.fromkeys(t for t in form.getlist("themes") if t in known))
    return MeetingFields(title=title, place=place, themes=themes, speakers=tuple(speakers))


@bp.route("/meetings/<group>/<folder>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_meeting_page(group: str, folder: str):
    meeting = meeting_or_404(group, folder).meeting
    where = meeting.folder
    unreadable = False
    try:
        current = meeting_fields(archive_dir(), where)
    except ConfigError:
        current, unreadable = MeetingFields(), True
    except ChangeError as e:  # keys this form does not know: rewriting would lose them
        abort(409, description=f"Mötets uppgifter kan inte ändras här: {e}.")
    page = {"meeting": meeting, "themes": get_index().config.themes, "unreadable": unreadable,
            "folder_place": place_name(folder[11:]) or folder[11:].replace("-", " ").title(), "message": None}
    if request.method == "GET":
        return render_template("meeting_edit.html", errors={}, values=current,
                               speakers=speakers_text(current.speakers), **page)
    errors: dict[str, str] = {}
    fields = _meeting_form(request.form, errors)
    if not errors:
        try:
            change = edit_meeting(archive_dir(), where, fields, who())
        except ChangeError as e:
            page["message"] = f"Uppgifterna kunde inte sparas: {e}. Ingenting ändrades."
    if errors or page["message"]:
        return render_template("meeting_edit.html", errors=errors, values=fields,
                               speakers=speakers_text(fields.speakers), **page), 400
    _saved(change)
    return redirect(url_for("web.meeting", group=group, folder=folder), code=303)


# -- move -------------------------------------------------------------------------------
@bp.route("/move/<path:doc_id>", methods=["GET", "POST"])
@coordinator_required
def move(doc_id: str):
    doc = _document_or_404(doc_id)
    config = get_index().config
    choices = meeting_choices(archive_dir(), config.groups)
    current = doc.id.rsplit("/", 1)[0]
    error = None
    if request.method == "POST":
        target = request.form.get("target", "")
        group, _, folder = target.partition("/")
        valid = {c.value for cs in choices.values() for c in cs} | {f"{g.slug}/{OTHER_FOLDER}" for g in config.groups}
        if target not in valid:
            error = "Välj ett möte i listan."
        elif target == current:
            error = "Dokumentet ligger redan där. Välj ett annat möte."
        else:
            try:
                new_id = move_document(archive_dir(), doc.id, group, folder, who())
            except ChangeError as e:
                error = f"Dokumentet kunde inte flyttas: {e}."
            else:
                reindex()
                place = changelog.Names(get_index(), archive_dir()).meeting(new_id.rsplit('/', 1)[0]).text
                flash(f"Flyttat till {place}.", "success")
                return redirect(url_for("web.document", doc_id=new_id), code=303)
    return render_template("move.html", doc=doc, choices=choices, current=current, error=error,
                           other=OTHER_FOLDER, folder_labels=FOLDER_LABELS), 400 if error else 200


# -- remove, trash, restore ----------------------------------------------------------------
@bp.route("/remove/<path:doc_id>", methods=["GET", "POST"])
@coordinator_required
def remove(doc_id: str):
    doc = _document_or_404(doc_id)
    if request.method == "GET":
        return render_template("remove.html", doc=doc)
    try:
        item = remove_document(archive_dir(), doc.id, who())
    except ChangeError as e:
        abort(409, description=f"Dokumentet kunde inte tas bort: {e}.")
    reindex()
    flash(f"”{doc.title}” ligger nu i papperskorgen. Du kan återställa det härifrån.", "success")
    return redirect(url_for("manage.trash", _anchor=f"post-{item.key}"), code=303)


@bp.get("/trash")
@coordinator_required
def trash():
    names = changelog.Names(get_index(), archive_dir())
    items = [(i, names.meeting(i.original.rsplit("/", 1)[0])) for i in trashed(archive_dir())]
    return render_template("trash.html", items=items)


@bp.post("/trash/<key>/restore")
@coordinator_required
def restore_item(key: str):
    try:
        new_id = restore(archive_dir(), key, who())
    except ChangeError:
        abort(404, description="Det finns inget sådant i papperskorgen.")
    reindex()
    flash("Dokumentet är återställt.", "success")
    return redirect(url_for("web.document", doc_id=new_id), code=303)


# -- the audit log ----------------------------------------------------------------------------
@bp.get("/changes")
@coordinator_required
def changes():
    try:
        wanted = changelog.filters(request.args)
    except changelog.ParamError as e:
        abort(400, description=str(e))
    found = changelog.page(get_index(), archive_dir(), wanted)
    if wanted.page > found.pages:
        abort(400, description=f"Det finns bara {found.pages} sidor med de här ändringarna.")

    def page_url(n: int) -> str:
        return url_for("manage.changes", typ=wanted.kind or None, vem=wanted.who or None,
                       sida=n if n > 1 else None)
    return render_template("changes.html", found=found, kinds=changelog.KIND_LABELS, page_url=page_url)


@bp.post("/changes/<change_id>/undo")
@coordinator_required
def undo(change_id: str):
    if not _CHANGE_ID.match(change_id):
        abort(404)
    try:
        done = undo_change(archive_dir(), change_id, who())
    except UndoRefused as e:
        abort(409, description=f"Ändringen kunde inte ångras: {e}.")
    reindex()
    label = changelog.UNDO_LABELS.get(done.detail.get("what", ""), "ändringen")
    flash(f"Klart: {label} är ångrad, och ångrandet står i loggen. Uppladdade filer ligger i papperskorgen."
          if label == "uppladdningen" else f"Klart: {label} är ångrad, och ångrandet står i loggen.", "success")
    return redirect(url_for("manage.changes"), code=303)
