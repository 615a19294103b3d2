"""A package's re-exported names, each imported on first use (PEP 562), so importing it costs nothing."""
from __future__ import annotations

import importlib
from typing import Callable


def exports(package: str, where: dict[str, tuple[str, str]],
            namespace: dict) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`; `where` maps a name to (relative module, attribute)."""
    def __getattr__(name: str):
        try:
            module, attr = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module, package), attr)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
