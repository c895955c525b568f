"""The stage registry: the pipeline runs these in order. Adding a stage is one module and
one line here.

Per-document stages come first so they all run in worker processes; the corpus stages
(learned site furniture, cross-document dedup) follow in the main process.
"""

from __future__ import annotations

from newsclean.stages import convert, crossdedup, decode, dedup, extract, filter, furniture, normalize, repair
from newsclean.stages.base import Stage

REGISTRY: list[type[Stage]] = [
    decode.Decode,
    extract.Extract,
    repair.Repair,
    normalize.Normalize,
    filter.Filter,
    convert.Convert,
    dedup.Dedup,
    furniture.Furniture,
    crossdedup.CrossDedup,
]

__all__ = ["REGISTRY", "Stage"]
