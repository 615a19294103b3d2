"""`/upload`: choose the meeting, add files, review what was inferred, save into the archive.

    GET  /upload             step 1: group, meeting (existing or new), files
    POST /upload             the files are staged and read; redirect to the review
    GET  /upload/<key>       step 2: what the archive inferred about each file, to correct
    POST /upload/<key>       save: files, sidecars, meeting.toml, index; the result page
    POST /upload/<key>/cancel
"""
from __future__ import annotations

import hashlib
import os
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from indexer import DOCUMENT_TYPES, OTHER_FOLDER, ChangeError, Filing, Meeting, MeetingDraft, \
    NewFile, Sidecar, Speaker, file_documents, inspect_files, list_meetings

from . import changelog
from .archive import archive_dir, get_index, holder
from .auth import coordinator_required, who
from .coordination import meeting_choices, parse_day, problem_label, reindex, speaker_lines, warning_label
from .staging import FileTooLarge, Staging

bp = Blueprint("upload", __name__)

MAX_FILES = 50
MAX_SPEAKERS = 30
MAX_TEXT = 300
DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024


def max_file_size() -> int:
    return int(current_app.config.get("ARKIV_MAX_FILE_SIZE") or DEFAULT_MAX_FILE_SIZE)


def staging() -> Staging:
    return Staging(holder().index_dir)


def _megabytes(n: int) -> str:
    mb = n / 1024 / 1024
    return f"{mb:.0f} MB" if mb >= 1 else f"{n / 1024:.0f} kB"


def _limits() -> dict:
    return {"file": _megabytes(max_file_size()),
            "request": _megabytes(current_app.config["MAX_CONTENT_LENGTH"])
            if current_app.config.get("MAX_CONTENT_LENGTH") else None}


# -- step 1 ---------------------------------------------------------------------------
def _form_page(errors: dict | None = None, values=None, status: int = 200):
    config = get_index().config
    return render_template("upload.html", errors=errors or {}, values=values or {},
                           meetings=meeting_choices(archive_dir(), config.groups), themes=config.themes,
                           limits=_limits(), max_files=MAX_FILES), status


def _text(form, name: str) -> str:
    return " ".join((form.get(name) or "").split())[:MAX_TEXT]


def _speakers(text: str) -> tuple[Speaker, ...]:
    return tuple(Speaker(s.name[:MAX_TEXT], s.organisation[:MAX_TEXT])
                 for s in speaker_lines(text)[:MAX_SPEAKERS] if s.name)


def _where(form, config, errors: dict) -> dict | None:
    """The group and meeting the form chose, as the manifest keeps them; errors by field id."""
    group = form.get("group", "")
    if config.group(group) is None:
        errors["group"] = "Välj vilken grupp dokumenten hör till."
        return None
    choice = form.get("meeting", "")
    if choice == "ny":
        themes = {t.name for t in config.themes}
        try:
            day = parse_day(form.get("date", ""))
        except ValueError:
            day = None
            errors["meeting-date"] = "Skriv mötets datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-14."
        else:
            if day is None:
                errors["meeting-date"] = "Ett nytt möte behöver ett datum."
            elif day > date.today():
                errors["meeting-date"] = "Mötets datum kan inte ligga i framtiden."
        chosen = [t for t in form.getlist("themes") if t in themes]
        if errors:
            return None
        draft = MeetingDraft(day, place=_text(form, "place"), title=_text(form, "title"), themes=tuple(chosen),
                             speakers=_speakers(form.get("speakers", "")))
        folder = draft.folder_name
        existing = {c.value for c in meeting_choices(archive_dir(), [config.group(group)])[group]}
        if f"{group}/{folder}" in existing:
            errors["meeting-date"] = ("Det mötet finns redan i arkivet. Välj det i listan över befintliga möten "
                                      "i stället.")
            return None
        return {"group": group, "kind": "new", "folder": folder, "date": day.isoformat(), "place": draft.place,
                "title": draft.title, "themes": list(draft.themes),
                "speakers": [[s.name, s.organisation] for s in draft.speakers]}
    if choice == OTHER_FOLDER:
        return {"group": group, "kind": "none", "folder": OTHER_FOLDER}
    g, _, folder = choice.partition("/")
    if not folder:
        errors["meeting"] = "Välj ett möte, ett nytt möte eller inget särskilt möte."
        return None
    if g != group:
        errors["meeting"] = "Mötet hör till en annan grupp än den du valde. Välj ett möte i rätt grupp."
        return None
    if choice not in {c.value for c in meeting_choices(archive_dir(), [config.group(group)])[group]}:
        errors["meeting"] = "Mötet finns inte längre i arkivet. Välj ett annat."
        return None
    return {"group": group, "kind": "existing", "folder": folder}


def _meeting_of(where: dict) -> Meeting | None:
    if where["kind"] == "new":
        return Meeting(folder=f"{where['group']}/{where['folder']}", group=where["group"],
                       date=date.fromisoformat(where["date"]), title=where["title"], place=where["place"],
                       themes=tuple(where["themes"]), speakers=tuple(Speaker(n, o) for n, o in where["speakers"]))
    if where["kind"] == "existing":
        folder = f"{where['group']}/{where['folder']}"
        return next((m for m in list_meetings(archive_dir(), where["group"]) if m.folder == folder), None)
    return None


@bp.route("/upload", methods=["GET", "POST"])
@coordinator_required
def start():
    if request.method == "GET":
        return _form_page()
    config = get_index().config
    errors: dict[str, str] = {}
    where = _where(request.form, config, errors)
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        errors["files"] = "Välj minst en fil att ladda upp."
    elif len(uploads) > MAX_FILES:
        errors["files"] = f"Högst {MAX_FILES} filer åt gången."
    if errors:
        if uploads and "files" not in errors:
            errors.setdefault("files", "Välj filerna igen: webbläsaren skickar dem inte en gång till.")
        return _form_page(errors, request.form, 400)

    store = staging()
    batch = store.create(who())
    try:
        for f in uploads:
            store.add(batch, f, max_file_size())
    except FileTooLarge as e:
        store.discard(batch)
        errors["files"] = (f"Filen {e.name} är större än {_megabytes(e.limit)}, som är gränsen per fil. "
                           "Ingenting sparades.")
        return _form_page(errors, request.form, 413)

    batch.manifest["where"] = where
    archive = archive_dir()
    target = archive / where["group"] / where["folder"]
    found = inspect_files(archive, [(batch.path(n), e["original"]) for n, e in enumerate(batch.manifest["files"])],
                          where["group"], target, _meeting_of(where), index_dir=holder().index_dir,
                          max_bytes=max_file_size())
    names: set[str] = set()
    for entry, ins in zip(batch.manifest["files"], found):
        doc = ins.document
        entry.update({
            "name": ins.name, "sha256": ins.sha256, "format": ins.format, "refused": ins.refused,
            "problem": ins.problem, "warnings": list(ins.warnings), "copies": list(ins.copies),
            "clash": ins.clash or ins.name in names, "sources": ins.sources, "preview": ins.preview,
            "inferred": None if doc is None else {
                "title": doc.title, "date": doc.date.isoformat() if doc.date else "", "type": doc.type,
                "themes": list(doc.themes), "pages": doc.page_count},
        })
        names.add(ins.name)
    batch.save()
    return redirect(url_for("upload.review", key=batch.key), code=303)


# -- step 2 ---------------------------------------------------------------------------
def _batch_or_404(key: str):
    batch = staging().load(key, who())
    if batch is None:
        state = staging().state(key)
        if state == "saved":
            abort(409, description="Den här uppladdningen är redan sparad i arkivet. Ingenting sparades en gång "
                                   "till. Öppna uppladdningens adress igen för att se var dokumenten finns.")
        if state == "saving":
            abort(409, description="Den här uppladdningen sparas just nu, från en annan flik eller ett tidigare "
                                   "klick. Ingenting sparades en gång till.")
        abort(404, description="Uppladdningen finns inte: den kan redan vara sparad, avbruten eller för gammal.")
    return batch


def _review_page(batch, errors: dict | None = None, values=None, status: int = 200, message: str | None = None):
    config = get_index().config
    where = batch.manifest["where"]
    group = config.group(where["group"])
    meeting = _meeting_of(where) if where["kind"] != "new" else None
    return render_template(
        "upload_review.html", batch=batch, files=list(enumerate(batch.manifest["files"])), where=where,
        group_name=group.name if group else where["group"], meeting=meeting, errors=errors or {},
        values=values, themes=config.themes, types=DOCUMENT_TYPES, warning_label=warning_label,
        problem_label=problem_label, message=message), status


@bp.get("/upload/<key>")
@coordinator_required
def review(key: str):
    record = staging().saved_record(key, who())
    if record is not None:  # saved already: where its documents went, not a 404
        return _done_page(record, again=True)
    return _review_page(_batch_or_404(key))


def _done_page(record: dict, again: bool = False, indexed: bool = True):
    """The result page of a saved batch, from what staging kept of it (ids, meeting, names)."""
    config = get_index().config
    index = get_index()
    where = record["where"]
    group = config.group(where["group"])
    saved = [d for d in (index.document(i, with_text=False) for i in record["added"]) if d]
    meeting = None
    if record.get("meeting"):
        meeting = changelog.Names(index, archive_dir()).meeting(record["meeting"])
    return render_template("upload_done.html", record=record, saved=saved, indexed=indexed, again=again,
                           where=where, group_name=group.name if group else where["group"], meeting=meeting,
                           missing=[i for i in record["added"] if i not in {d.id for d in saved}])


def _corrections(form, n: int, entry: dict, themes: set[str], errors: dict) -> tuple[Sidecar, str] | None:
    """The sidecar (what differs from what was inferred) and the clash choice for file n."""
    inferred = entry["inferred"] or {}
    title = _text(form, f"title-{n}")
    try:
        day = parse_day(form.get(f"date-{n}", ""))
    except ValueError:
        errors[f"date-{n}"] = "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2024-03-14, eller lämna det tomt."
        day = None
    kind = form.get(f"type-{n}", "")
    if kind not in DOCUMENT_TYPES:
        errors[f"type-{n}"] = "Välj en dokumenttyp i listan."
    chosen = [t for t in form.getlist(f"themes-{n}") if t in themes]
    clash = form.get(f"clash-{n}", "")
    if entry.get("clash") and clash not in ("replace", "keep-both"):
        errors[f"clash-{n}-replace"] = (f"Det finns redan en fil som heter {entry['name']} här. Välj om den ska "
                                        "ersättas eller om båda ska behållas.")
    if any(k.endswith(f"-{n}") or k.startswith(f"clash-{n}-") for k in errors):
        return None
    sidecar = Sidecar(
        title=title if title and title != inferred.get("title") else None,
        date=day if day and day.isoformat() != inferred.get("date") else None,
        type=kind if kind != inferred.get("type") else None,
        themes=tuple(chosen) if set(chosen) != set(inferred.get("themes", ())) else None,
    )
    return sidecar, clash if entry.get("clash") else "keep-both"


@bp.post("/upload/<key>")
@coordinator_required
def save(key: str):
    batch = _batch_or_404(key)
    config = get_index().config
    themes = {t.name for t in config.themes}
    errors: dict[str, str] = {}
    chosen: list[tuple[int, str, Sidecar, str]] = []  # (file n, its name, sidecar, clash choice)
    for n, entry in enumerate(batch.manifest["files"]):
        if entry.get("refused") or request.form.get(f"skip-{n}"):
            continue
        found = _corrections(request.form, n, entry, themes, errors)
        if found is not None:
            chosen.append((n, entry["name"], *found))
    if not errors and not chosen:
        errors["files"] = "Det finns inga filer att spara: alla är överhoppade eller kan inte läggas till."
    if errors:
        return _review_page(batch, errors, request.form, 400)

    where = batch.manifest["where"]
    draft = None
    if where["kind"] == "new":
        draft = MeetingDraft(date.fromisoformat(where["date"]), place=where["place"], title=where["title"],
                             themes=tuple(where["themes"]),
                             speakers=tuple(Speaker(n, o) for n, o in where["speakers"]))
    claimed = staging().claim(batch)
    if claimed is None:  # another submit of this form took it first
        return _batch_or_404(key)
    filing = Filing(group=where["group"], folder=None if draft else where["folder"], new_meeting=draft,
                    files=tuple(NewFile(claimed.path(n), name, sidecar, clash) for n, name, sidecar, clash in chosen),
                    batch=_batch_id(key))
    try:
        filed = file_documents(archive_dir(), filing, who())
    except ChangeError as e:
        staging().release(claimed)
        current_app.logger.info("upload refused: %s", e)
        return _review_page(batch, {}, request.form, 409,
                            message=f"Ingenting sparades: {_without_paths(str(e))}. Ladda upp filerna igen om "
                                    "mötet har ändrats.")
    except BaseException:
        staging().release(claimed)
        raise
    record = {"where": where, "added": filed.added, "meeting": filed.meeting, "batch": filed.batch,
              "renamed": filed.renamed, "replaced": [i for i, _ in filed.replaced]}
    staging().saved(claimed, record)
    indexed = reindex()
    return _done_page(record, indexed=indexed)


def _batch_id(key: str) -> str:
    """The audit log's name for a batch: not the staging key, which is its owner's URL."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _without_paths(message: str) -> str:
    """A message as a coordinator may see it: the server's own folders left out."""
    for root in (holder().index_dir, archive_dir()):
        message = message.replace(f"{root}{os.sep}", "").replace(str(root), "arkivet")
    return message


@bp.post("/upload/<key>/cancel")
@coordinator_required
def cancel(key: str):
    staging().discard(_batch_or_404(key))
    flash("Uppladdningen är avbruten. Ingenting sparades.", "info")
    return redirect(url_for("upload.start"))
