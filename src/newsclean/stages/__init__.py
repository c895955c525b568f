"""The stage registry: the pipeline runs these in order. Adding a stage is one module and
one line here."""

from __future__ import annotations

from newsclean.stages import convert, decode, dedup, extract, filter, furniture, normalize, repair
from newsclean.stages.base import Stage

REGISTRY: list[type[Stage]] = [
    decode.Decode,
    extract.Extract,
    repair.Repair,
    normalize.Normalize,
    filter.Filter,
    furniture.Furniture,
    convert.Convert,
    dedup.Dedup,
]

__all__ = ["REGISTRY", "Stage"]
