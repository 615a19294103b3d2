"""The indexer's exceptions; the CLI and the web app translate them at their edges."""
from __future__ import annotations


class ArkivError(Exception):
    """Base of every error the indexer raises on purpose."""


class ConfigError(ArkivError):
    """arkiv.toml, meeting.toml or a sidecar cannot be read or says something impossible."""


class ExtractionError(ArkivError):
    """A file's text cannot be extracted; `reason` is what a coordinator is shown."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class IndexUnavailable(ArkivError):
    """The index cannot be opened or written."""


class IndexMissing(IndexUnavailable):
    """There is no index yet: run `arkiv index`."""


class IndexLocked(IndexUnavailable):
    """Another process holds the index's write lock longer than we will wait."""


class AddError(ArkivError):
    """A file cannot be added to the archive (name clash, unknown group, bad meeting)."""


class ChangeError(ArkivError):
    """A change to the archive cannot be made (unknown document, name taken, not in the trash)."""
