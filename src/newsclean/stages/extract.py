"""extract: HTML to paragraphs with lxml (beautifulsoup4 where lxml would lose text);
plain text to non-blank lines.

Page furniture elements (script, style, nav, header, footer, aside, forms, ...) are
removed and each removal that held text is recorded; block elements and ``<br>`` end a
paragraph; entities are decoded. Every paragraph keeps the source line it started on.

>>> doc = Document(source="a.html", text="<p>第一段&amp;</p><nav>首页</nav><div>第二段<br>第三段</div>", kind="html")
>>> [p.text for p in Extract(Config()).process(doc).paragraphs]
['第一段&', '第二段', '第三段']
>>> doc.events[0].rule
'html-furniture'
"""

from __future__ import annotations

import html as html_lib
import re
import warnings
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from newsclean.config import Config
from newsclean.document import Document, Event, Paragraph, split_paragraphs
from newsclean.stages.base import Stage

if TYPE_CHECKING:
    from bs4 import Tag

#: elements whose whole content is furniture or code, never article text
FURNITURE = frozenset(
    "script style noscript template nav header footer aside form button select option "
    "iframe svg canvas head menu dialog".split()
)
#: elements that end a paragraph
BLOCK = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tr td th tbody thead tfoot "
    "section article main blockquote pre figure figcaption address hr center body html "
    "caption details summary".split()
)
#: furniture whose text is code or metadata: removed without an event
_QUIET_FURNITURE = frozenset(("script", "style", "head", "svg", "template"))
#: libxml2's HTML parser, error-tolerant; huge_tree lifts its limits on depth and text size
_LXML_PARSER = lxml_html.HTMLParser(recover=True, huge_tree=True)
#: how much of a removed element's text the audit trail keeps
EXCERPT_CHARS = 200

# HTML over Config.max_html_chars / max_html_tags is not given to BeautifulSoup: its tree
# costs about 2 KB and 60 µs per tag (a 12 MB page of 600k tags took 39 s and 1.3 GB).
# The linear tag stripper below reads it instead, with a flag event. Real news pages are
# well under both (a few hundred KB, a few thousand tags).

_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|body|p|div|article|br)\b", re.I)
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
# A tag, a comment's start or end: `[^<>]*` stops at the next `<`, so an unclosed tag
# costs its own length, never a rescan of the rest of the page.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)?[^<>]*>")


def looks_like_html(text: str) -> bool:
    """True when ``text`` is an HTML page or fragment rather than text with a stray tag.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>正文</p></body></html>")
    True
    >>> looks_like_html("威脅我的家人。”該用戶表示。</p>")
    False
    """
    head = text.lstrip()[:4096]
    return head.startswith("<") and len(_HTML_SNIFF.findall(head)) >= 2


def _block_of(node: Tag, cache: dict[int, Tag | None]) -> Tag | None:
    """The nearest block ancestor (or self), memoised so deep nesting stays linear."""
    chain: list[Tag] = []
    cur: Tag | None = node
    result: Tag | None = None
    while cur is not None:
        key = id(cur)
        if key in cache:
            result = cache[key]
            break
        chain.append(cur)
        if cur.name in BLOCK:
            result = cur
            break
        cur = cur.parent
    for tag in chain:
        cache[id(tag)] = result if tag.name not in BLOCK else tag
    return result


def html_paragraphs(html: str, stage: str = "extract") -> tuple[list[Paragraph], list[Event]]:
    """Paragraphs of an HTML page and the events for the furniture removed from it.

    The page is parsed with lxml (libxml2), which builds its tree in C: a Python tree
    (BeautifulSoup's) costs 30 times as much for the same paragraphs. A page lxml will not
    take (an XML declaration in a str, say) goes to BeautifulSoup, as every page did before.

    >>> [(p.line, p.text) for p in html_paragraphs("<p>第一段</p>\\n<footer>版权所有</footer><p>第<b>二</b>段</p>")[0]]
    [(1, '第一段'), (2, '第二段')]
    """
    if "\x00" in html:  # libxml2 reads NUL as U+FFFD; normalize removes NUL, as it should
        return soup_paragraphs(html, stage)
    try:
        root = lxml_html.document_fromstring(html, parser=_LXML_PARSER)
    except etree.ParserError:  # nothing but whitespace and comments
        return [], []
    except ValueError:
        return soup_paragraphs(html, stage)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _LXML_PARSER.error_log):
        # libxml2 drops what lies deeper than 2048 elements, saying so only in its log
        return soup_paragraphs(html, stage)
    events: list[Event] = []
    removed: set[lxml_html.HtmlElement] = set()
    for tag in list(root.iter(*FURNITURE)):
        if removed.intersection(tag.iterancestors()):
            continue  # inside furniture already removed
        removed.add(tag)
        text = _SPACE_RUN.sub(" ", " ".join(tag.itertext())).strip()
        if text and tag.tag not in _QUIET_FURNITURE:
            events.append(_furniture_event(stage, tag.tag, tag.sourceline, text))
    for tag in removed:
        if tag.getparent() is not None:
            tag.drop_tree()  # keeps the text that follows the element
    paragraphs = _Paragraphs()
    blocks: list[lxml_html.HtmlElement] = []
    for event, node in etree.iterwalk(root, events=("start", "end")):
        name = node.tag
        if event == "start":
            if not isinstance(name, str):
                continue  # a comment or processing instruction: its text is not content
            if name in BLOCK:
                blocks.append(node)
            if name in ("br", "hr"):
                paragraphs.flush()
            if node.text:
                paragraphs.add(node.text, blocks[-1] if blocks else None, node.sourceline)
            continue
        if isinstance(name, str) and name in BLOCK:
            blocks.pop()
        if node.tail:  # the text after an element belongs to its parent
            parent = node.getparent()
            paragraphs.add(node.tail, blocks[-1] if blocks else None, parent.sourceline if parent is not None else None)
    return paragraphs.done(), events


class _Paragraphs:
    """Text pieces gathered into paragraphs: a new block element starts a new one, and a
    paragraph keeps the source line of its first non-blank piece."""

    def __init__(self) -> None:
        self.out: list[Paragraph] = []
        self.parts: list[str] = []
        self.line: int | None = None
        self.block: object = None

    def add(self, text: str, block: object, line: int | None) -> None:
        if block is not self.block:
            self.flush()
            self.block = block
        if self.line is None and text.strip():
            self.line = line
        self.parts.append(text)

    def flush(self) -> None:
        text = _SPACE_RUN.sub(" ", "".join(self.parts)).strip()
        if text:
            self.out.append(Paragraph(text, self.line or 1))
        self.parts, self.line = [], None

    def done(self) -> list[Paragraph]:
        self.flush()
        return self.out


def _furniture_event(stage: str, name: str, line: int | None, text: str) -> Event:
    return Event(
        stage,
        "html-furniture",
        "drop",
        line,
        f"<{name}> element is page furniture, not article text",
        before=text[:EXCERPT_CHARS],
    )


def soup_paragraphs(html: str, stage: str = "extract") -> tuple[list[Paragraph], list[Event]]:
    """:func:`html_paragraphs` with BeautifulSoup's ``html.parser``: the same paragraphs,
    lines and events, for the pages lxml does not take."""
    # imported here: most runs never need it, and it takes a tenth of a second to import
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(html, "html.parser")
    events: list[Event] = []
    # a plain walk: find_all's name matching costs a third of the parse on large pages
    furniture = [node for node in soup.descendants if isinstance(node, Tag) and node.name in FURNITURE]
    for tag in furniture:
        if tag.decomposed:
            continue
        text = _SPACE_RUN.sub(" ", tag.get_text(" ")).strip()
        if text and tag.name not in _QUIET_FURNITURE:
            events.append(_furniture_event(stage, tag.name, tag.sourceline, text))
        tag.decompose()

    paragraphs = _Paragraphs()
    cache: dict[int, Tag | None] = {}
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name in ("br", "hr"):
                paragraphs.flush()
            continue
        if not isinstance(node, NavigableString) or isinstance(
            node, (Comment, Declaration, Doctype, ProcessingInstruction)
        ):
            continue
        parent = node.parent
        block = _block_of(parent, cache) if parent is not None else None
        paragraphs.add(str(node), block, getattr(parent, "sourceline", None))
    return paragraphs.done(), events


def stripped_paragraphs(html: str) -> list[Paragraph]:
    """Paragraphs of an HTML page by a linear tag strip: the fallback for pages too big or
    too deeply nested for the parser. Furniture elements' text is skipped, block tags end
    a paragraph, entities are decoded.

    >>> [p.text for p in stripped_paragraphs("<p>第一段&amp;</p><script>x()</script>\\n<div>第二<b>段</b></div>")]
    ['第一段&', '第二段']
    """
    paragraphs: list[Paragraph] = []
    parts: list[str] = []
    line, first_line = 1, 0
    skipping = ""  # the furniture element being skipped, until its end tag
    pos = 0

    def flush() -> None:
        nonlocal parts, first_line
        text = _SPACE_RUN.sub(" ", html_lib.unescape("".join(parts))).strip()
        if text:
            paragraphs.append(Paragraph(text, first_line or 1))
        parts, first_line = [], 0

    for match in _TAG.finditer(html):
        chunk = html[pos : match.start()]
        if chunk and not skipping:
            if not first_line and chunk.strip():
                first_line = line + chunk.count("\n", 0, len(chunk) - len(chunk.lstrip()))
            parts.append(chunk)
        line += chunk.count("\n")
        closing, name = match.group(1), (match.group(2) or "").lower()
        if skipping:
            if closing and name == skipping:
                skipping = ""
        elif name in FURNITURE and not closing and not match.group(0).endswith("/>"):
            flush()
            skipping = name
        elif name in BLOCK:
            flush()
        line += match.group(0).count("\n")
        pos = match.end()
    if not skipping:
        tail = html[pos:]
        if not first_line and tail.strip():
            first_line = line + tail.count("\n", 0, len(tail) - len(tail.lstrip()))
        parts.append(tail)
    flush()
    return paragraphs


class Extract(Stage):
    name = "extract"
    description = "HTML to paragraphs (lxml, beautifulsoup4), page furniture dropped; text to non-blank lines"

    def __init__(self, config: Config) -> None:
        super().__init__(config)

    def process(self, doc: Document) -> Document | None:
        if doc.text is None:
            return doc
        if doc.kind == "html" or (doc.kind == "text" and looks_like_html(doc.text)):
            doc.meta["format"] = "html"
            reason = ""
            tags = doc.text.count("<")  # an upper bound on tags, at memchr speed
            max_chars, max_tags = self.config.max_html_chars, self.config.max_html_tags
            if len(doc.text) > max_chars:
                reason = f"HTML of {len(doc.text)} characters is over the parser limit of {max_chars}"
            elif tags > max_tags:
                reason = f"HTML with {tags} tags is over the parser limit of {max_tags}"
            else:
                try:
                    doc.paragraphs, events = html_paragraphs(doc.text, self.name)
                    doc.events.extend(events)
                except RecursionError:
                    reason = "HTML is nested too deeply for the parser"
            if reason:
                doc.paragraphs = stripped_paragraphs(doc.text)
                doc.record(
                    Event(
                        self.name,
                        "html-fallback",
                        "flag",
                        None,
                        reason + "; text taken by a plain tag strip (page furniture is not reported line by line)",
                        score=float(len(doc.text)),
                    )
                )
        else:
            doc.paragraphs = split_paragraphs(doc.text)
        doc.text = None  # paragraphs are the document from here on
        return doc
