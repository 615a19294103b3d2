"""Read the archive's own TOML files: arkiv.toml, meeting.toml and sidecars."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import ConfigError
from .places import place_name
from .models import DOCUMENT_TYPES, ArchiveConfig, Group, Meeting, Speaker, Theme

ARCHIVE_FILE = "arkiv.toml"
MEETING_FILE = "meeting.toml"
SIDECAR_SUFFIX = ".toml"
MEETING_FOLDER = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-(.+))?$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Sidecar:
    """What a person wrote in `<file>.toml`; None means "not said"."""

    title: str | None = None
    date: date | None = None
    type: str | None = None
    themes: tuple[str, ...] | None = None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path.name}: invalid TOML ({e})") from e
    except OSError as e:
        raise ConfigError(f"{path.name}: cannot be read ({e.strerror})") from e


def _str(data: dict, key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be text")
    return value.strip()


def _str_list(data: dict, key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of text")
    return tuple(v.strip() for v in value if v.strip())


def load_archive_config(root: Path) -> ArchiveConfig:
    """Read `arkiv.toml` at the archive root."""
    path = Path(root) / ARCHIVE_FILE
    if not path.is_file():
        raise ConfigError(f"{path} is missing: an archive needs an {ARCHIVE_FILE} naming its groups")
    data = _read_toml(path)
    network = data.get("network", {})
    groups = []
    for i, g in enumerate(data.get("groups", [])):
        where = f"{ARCHIVE_FILE} [[groups]] #{i + 1}"
        slug = _str(g, "slug", where)
        if not SLUG.match(slug):
            raise ConfigError(f"{where}: slug '{slug}' must be lowercase letters, digits and '-'")
        groups.append(Group(slug=slug, name=_str(g, "name", where) or slug,
                            description=_str(g, "description", where)))
    if len({g.slug for g in groups}) != len(groups):
        raise ConfigError(f"{ARCHIVE_FILE}: two groups share a slug")
    themes = []
    for i, t in enumerate(data.get("themes", [])):
        where = f"{ARCHIVE_FILE} [[themes]] #{i + 1}"
        name = _str(t, "name", where)
        if not name:
            raise ConfigError(f"{where}: a theme needs a name")
        themes.append(Theme(name=name, keywords=tuple(k.lower() for k in _str_list(t, "keywords", where))))
    synonyms = []
    for i, syn in enumerate(data.get("synonyms", [])):
        terms = _str_list(syn, "terms", f"{ARCHIVE_FILE} [[synonyms]] #{i + 1}")
        if len(terms) >= 2:
            synonyms.append(terms)
    return ArchiveConfig(root=str(Path(root)), name=_str(network, "name", ARCHIVE_FILE) or "Arkiv",
                         groups=tuple(groups), themes=tuple(themes), synonyms=tuple(synonyms))


def parse_meeting_folder(name: str) -> tuple[date, str] | None:
    """Return (date, place slug) for a folder named `YYYY-MM-DD[-place]`, else None."""
    m = MEETING_FOLDER.match(name)
    if not m:
        return None
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return day, m[4] or ""


def bare_meeting(folder: str) -> Meeting | None:
    """Describe the meeting folder `group/name` from its name alone, or None if it is not one."""
    group, _, name = folder.partition("/")
    parsed = parse_meeting_folder(name)
    if parsed is None:
        return None
    day, place_slug = parsed
    # The folder writes "boras": the municipality list spells it "Borås"; anything else as the folder has it.
    place = place_name(place_slug) or place_slug.replace("-", " ").title()
    return Meeting(folder=folder, group=group, date=day, place=place)


def load_meeting(root: Path, folder: str) -> Meeting | None:
    """Describe the meeting folder `group/name` (relative to root), or None if it is not one."""
    bare = bare_meeting(folder)
    if bare is None:
        return None
    path = Path(root) / folder / MEETING_FILE
    data = _read_toml(path) if path.is_file() else {}
    where = f"{folder}/{MEETING_FILE}"
    speakers = []
    for s in data.get("speakers", []):
        if not isinstance(s, dict):
            raise ConfigError(f"{where}: each [[speakers]] needs a name")
        speakers.append(Speaker(name=_str(s, "name", where), organisation=_str(s, "organisation", where)))
    return Meeting(folder=folder, group=bare.group, date=bare.date, title=_str(data, "title", where),
                   place=_str(data, "place", where) or bare.place,
                   themes=_str_list(data, "themes", where), speakers=tuple(speakers))


def label_problem(config: ArchiveConfig | None, group: str | None = None, kind: str | None = None,
                  themes=()) -> str | None:
    """Say which of a group, a document type and themes the archive does not know, or None.

    `config` may be None when only a kind is checked.
    """
    if group is not None and config.group(group) is None:
        known = ", ".join(g.slug for g in config.groups)
        return f"'{group}' is not a group in {ARCHIVE_FILE} (groups: {known})"
    if kind is not None and kind not in DOCUMENT_TYPES:
        return f"type '{kind}' is not one of {', '.join(DOCUMENT_TYPES)}"
    unknown = [t for t in themes or () if t not in {th.name for th in config.themes}]
    if unknown:
        return f"unknown theme(s): {', '.join(unknown)} (see {ARCHIVE_FILE})"
    return None


def sidecar_path(file: Path) -> Path:
    return file.with_name(file.name + SIDECAR_SUFFIX)


def load_sidecar(file: Path) -> Sidecar:
    """Read `<file>.toml` if it exists; a missing sidecar says nothing."""
    path = sidecar_path(file)
    try:
        if not path.is_file():
            return Sidecar()
    except OSError:  # a file whose name is near the limit cannot have a sidecar
        return Sidecar()
    data = _read_toml(path)
    where = path.name
    day = data.get("date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError as e:
            raise ConfigError(f"{where}: date '{day}' is not YYYY-MM-DD") from e
    elif day is not None and not isinstance(day, date):
        raise ConfigError(f"{where}: date must be YYYY-MM-DD")
    if hasattr(day, "date") and callable(day.date):  # a TOML datetime
        day = day.date()
    kind = data.get("type")
    if kind is not None and (problem := label_problem(None, kind=kind)):
        raise ConfigError(f"{where}: {problem}")
    return Sidecar(title=_str(data, "title", where) or None, date=day, type=kind,
                   themes=_str_list(data, "themes", where) if "themes" in data else None)
