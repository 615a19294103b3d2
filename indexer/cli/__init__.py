"""The `arkiv` command line: index, search, add, problems, trash, import.

Another package adds its own commands by passing `Command`s to `main` (the web
app adds serve and user); nothing else of indexer imports this package.
"""
from __future__ import annotations

from .common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, Command
from .commands import main

__all__ = ["Command", "EXIT_FAILED", "EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "main"]
