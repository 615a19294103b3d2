"""Sweden's municipalities and regions: the closed list (SCB), found in text, and folder places spelled right.

`find_municipalities(text)` finds the names in their inflected and genitive forms
(*Lerums kommun*, *Vänersborgs*), and never a name that is also a common word or
a surname (*vara*, *mark*, *Anna Lund*) unless the text says it is the place.
"""
from __future__ import annotations

from .names import HOMOGRAPHS, MUNICIPALITIES, REGIONS, find_municipalities, place_name

__all__ = ["HOMOGRAPHS", "MUNICIPALITIES", "REGIONS", "find_municipalities", "place_name"]
