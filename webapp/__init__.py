"""Nätverksarkivet's web app: the indexer's search API as Swedish pages and JSON.

`create_app` and `get_index` are imported on first use (PEP 562): the `arkiv`
command line lives in webapp.cli, and Python runs a package's __init__ before any
of its modules, so an __init__ that imported Flask would make every `arkiv index`
pay for Flask and the pages it never serves.
"""
from __future__ import annotations

import importlib

_WHERE = {"create_app": ".app", "get_index": ".archive"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
