"""convert: Traditional ⇄ Simplified with OpenCC, to the target the user picks.

``--to keep`` (the default) converts nothing; ``hans`` uses t2s, ``hant`` s2t, ``tw``
s2twp (Taiwan phrases), ``hk`` s2hk; any OpenCC config name (``s2twp``, ``t2s``...) is
accepted too. Paragraphs already in the target script are left alone. The document's
script is recorded either way (``meta["script"]``).

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> doc = Convert(Config(to="hans")).process(Document.from_text("a.txt", "個人信息保護"))
>>> doc.clean_text, doc.meta["script"]
('个人信息保护', 'hans')
"""

from __future__ import annotations

from newsclean.config import Config, ConfigError
from newsclean.document import Document, Event
from newsclean.script import converter, detect_script
from newsclean.stages.base import Stage

TARGETS = {"hans": "t2s", "hant": "s2t", "tw": "s2twp", "hk": "s2hk"}
#: OpenCC configs shipped with the Python package
OPENCC_CONFIGS = frozenset("s2t t2s s2tw tw2s s2hk hk2s s2twp tw2sp t2tw hk2t t2hk t2jp jp2t tw2t".split())


def opencc_config(target: str) -> str | None:
    """The OpenCC config for a ``--to`` value, ``None`` for ``keep``.

    >>> opencc_config("tw"), opencc_config("s2twp"), opencc_config("keep")
    ('s2twp', 's2twp', None)
    """
    if target == "keep":
        return None
    name = TARGETS.get(target, target.removesuffix(".json"))
    if name not in OPENCC_CONFIGS:
        raise ConfigError(
            f"unknown conversion target {target!r}: use keep, {', '.join(TARGETS)}, "
            f"or an OpenCC config ({', '.join(sorted(OPENCC_CONFIGS))})"
        )
    return name


class Convert(Stage):
    name = "convert"
    description = "Traditional <-> Simplified with OpenCC (--to hans|hant|tw|hk|keep or an OpenCC config)"

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.opencc = opencc_config(config.to)
        self.target_script = "hans" if self.opencc and self.opencc.endswith("2s") else "hant"

    def process(self, doc: Document) -> Document | None:
        text = doc.clean_text
        script = detect_script(text)
        doc.meta["script_in"] = script
        if self.opencc is None or script in ("none", self.target_script) and self.opencc in ("t2s", "s2t"):
            doc.meta["script"] = script
            return doc
        converted = converter(self.opencc).convert(text).split("\n")
        if len(converted) != len(doc.paragraphs):  # never expected; keep text rather than misalign
            converted = [converter(self.opencc).convert(p.text) for p in doc.paragraphs]
        for para, new in zip(doc.paragraphs, converted, strict=True):
            if new != para.text:
                doc.record(
                    Event(
                        self.name,
                        self.opencc,
                        "change",
                        para.line,
                        f"converted with OpenCC {self.opencc}",
                        before=para.text,
                        after=new,
                    )
                )
                para.text = new
        # t2s leaves no Traditional-only character: no need to look again
        doc.meta["script"] = "hans" if self.opencc == "t2s" else detect_script(doc.clean_text)
        return doc
