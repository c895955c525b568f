"""Pipeline: the registered stages in order, mapped over a stream of documents.

The leading per-document stages run in worker processes (``--jobs``) on bounded batches,
results coming back in input order so output is identical for any number of jobs. From
the first corpus stage on, stages run in the main process in input order. If a corpus
stage needs to observe the whole corpus first, the mapped documents are spooled to a
temporary file while it observes, then read back: memory stays bounded and stdin works.

Observing needs every document of a *group* (a site: the folder, or a ``url`` domain),
not of the corpus. When the input is one folder, whose walk yields each folder's files
together, the spool is drained each time the folder changes: the corpus stages then run
beside the workers instead of after them.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any

from newsclean.config import Config, ConfigError
from newsclean.document import Document
from newsclean.stages import REGISTRY, Stage

#: stages the pipeline cannot run without
REQUIRED = frozenset({"decode", "extract"})
#: a batch sent to a worker closes at this many input bytes even if not full
BATCH_BYTES = 4 * 1024 * 1024


def one_folder(inputs: list[str]) -> bool:
    """True when the input is a single folder: its walk yields each folder's files together
    (see :class:`Pipeline`'s ``folder_grouped``)."""
    return len(inputs) == 1 and os.path.isdir(inputs[0])


def build_stages(config: Config, registry: list[type[Stage]] | None = None) -> list[Stage]:
    registry = REGISTRY if registry is None else registry
    names = {cls.name for cls in registry}
    for name in config.skip:
        if name not in names:
            raise ConfigError(f"--skip {name}: no such stage (stages: {', '.join(c.name for c in registry)})")
        if name in REQUIRED:
            raise ConfigError(f"--skip {name}: the pipeline cannot run without {name}")
    return [cls(config) for cls in registry if cls.name not in config.skip]


def run_stage(stage: Stage, doc: Document) -> Document:
    """Run one stage; a bug in a stage becomes an error on that document, not a crash."""
    if doc.error or doc.dropped:
        return doc
    try:
        result = stage.process(doc)
    except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
        doc.error = f"internal error in stage {stage.name}: {type(exc).__name__}: {exc} (please report this)"
        doc.raw = None
        return doc
    if result is None:
        if not doc.dropped:
            doc.drop(stage.name, "dropped", "document dropped by the stage")
        return doc
    return result


def run_batch(stages: list[Stage], docs: list[Document]) -> list[Document]:
    """Per-document stages over a batch, stage by stage: each stage first ``prepare``s the
    batch (one call into a C library for many documents), then processes each document.
    The same results as one document at a time (stages are per-document)."""
    for stage in stages:
        live = [d for d in docs if not (d.error or d.dropped)]
        if live:
            try:
                stage.prepare(live)
            except Exception:  # noqa: BLE001 - process() then does the work itself
                pass
        docs = [run_stage(stage, doc) for doc in docs]
    return docs


def finish_document(doc: Document) -> Document:
    """Drop a document left with no text, with the reason."""
    if not doc.error and not doc.dropped and not doc.paragraphs:
        had_events = any(e.kind == "drop" for e in doc.events)
        reason = "every line was removed by the stages" if had_events else "input has no text"
        doc.drop("pipeline", "empty-document", reason)
    return doc


_worker_stages: list[Stage] = []
_worker_observers: list[Stage] = []


#: signals the main process handles (Ctrl-C, kill); workers must not
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _init_worker(
    config: Config, names: list[str], observers: list[str], inherited: tuple[list[Stage], list[Stage]] | None = None
) -> None:
    """Worker set-up: Ctrl-C and SIGTERM are for the main process, which ends the run;
    a signal reaching a worker kills it outright. A worker inheriting the main process's
    SIGTERM handler would raise KeyboardInterrupt while holding the task queue's lock,
    and shutting the pool down would then wait for it forever."""
    global _worker_stages, _worker_observers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    if inherited is not None:
        # forked: the main process's stages, built once (their rule pack, converters and
        # tables are shared pages until written)
        _worker_stages, _worker_observers = inherited
        return
    stages = build_stages(config)
    _worker_stages = [s for s in stages if s.name in names]
    _worker_observers = [s for s in stages if s.name in observers]


def observations(doc: Document, observers: list[Stage]) -> list[Any] | None:
    """Each observer's summary of a processed document (None for errored and dropped ones)."""
    if doc.error or doc.dropped:
        return None
    out = []
    for stage in observers:
        try:
            out.append(stage.observation(doc))
        except Exception as exc:  # noqa: BLE001 - one bad document must not end the run
            doc.error = f"internal error in stage {stage.name}: {type(exc).__name__}: {exc} (please report this)"
            doc.raw = None
            return None
    return out


def segment_of(doc: Document) -> str | None:
    """The folder a document's group is, or None when its group is not its folder (a
    ``url`` domain: such groups may come back later in the input).

    >>> segment_of(Document(source="news/site-a/1.txt", group="news/site-a"))
    'news/site-a'
    >>> segment_of(Document(source="dump.jsonl#3", group="www.example.com")) is None
    True
    """
    folder = doc.source.rpartition("#")[0] if "#" in doc.source else doc.source
    return doc.group if doc.group == folder.rpartition("/")[0] else None


def _process_batch(batch: list[Document]) -> list[Document] | list[tuple[list[Any] | None, str | None, bytes]]:
    out = run_batch(_worker_stages, batch)
    if not _worker_observers:
        return out
    # The main process only needs the summaries now and the documents once their group is
    # observed: they go straight to its spool as the bytes pickled here, unpickled once
    # there instead of unpickled, pickled and unpickled again.
    return [
        (observations(doc, _worker_observers), segment_of(doc), pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
        for doc in out
    ]


class _WorkerPool:
    """Worker processes for the per-document stages, surviving the death of a worker.

    A worker killed mid-batch (out of memory, a crash in C code, ``kill -9``) breaks a
    ``ProcessPoolExecutor``; the pool is then restarted and the batch retried, and if it
    breaks it again each document is retried alone, so only the document that kills a
    worker becomes an error. (``multiprocessing.Pool`` would wait forever instead.)
    """

    def __init__(self, workers: int, config: Config, stages: list[Stage], observers: list[Stage]) -> None:
        methods = multiprocessing.get_all_start_methods()
        forking = "fork" in methods
        self.context = multiprocessing.get_context("fork" if forking else None)
        # a forked worker inherits the stages themselves; another start method pickles
        # the arguments, and the worker builds its stages from their names
        inherited = (stages, observers) if forking else None
        self.args = (workers, config, [s.name for s in stages], [s.name for s in observers], inherited)
        #: with observers, workers return (summaries, segment, pickled document) per document
        self.observing = bool(observers)
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        workers, config, names, observers, inherited = self.args
        return ProcessPoolExecutor(
            workers, mp_context=self.context, initializer=_init_worker, initargs=(config, names, observers, inherited)
        )

    def submit(self, batch: list[Document]) -> tuple[list[Document], Future, ProcessPoolExecutor]:
        # Workers are forked on submit: they start with the stop signals blocked, until
        # _init_worker has reset their handlers.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            return batch, self.executor.submit(_process_batch, batch), self.executor
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if broken is self.executor:
            broken.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()

    def result(self, batch: list[Document], future: Future, executor: ProcessPoolExecutor) -> list[Any]:
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart(executor)
        retry = self.submit(batch)
        try:
            return retry[1].result()
        except BrokenProcessPool:
            self._restart(retry[2])
        out = []
        for doc in batch:
            alone = self.submit([doc])
            try:
                out.extend(alone[1].result())
            except BrokenProcessPool:
                self._restart(alone[2])
                doc.error = "a worker process died while cleaning this document (out of memory?); skipped"
                doc.raw, doc.text = None, None
                out.append((None, segment_of(doc), pickle.dumps(doc)) if self.observing else doc)
        return out

    def close(self, cancel: bool) -> None:
        # Always wait: an executor left running past interpreter exit has its queue feeder
        # thread write to closed pipes ("Exception ignored ... Bad file descriptor").
        # Cancelled, at most the batches already in the workers finish first.
        self.executor.shutdown(wait=True, cancel_futures=cancel)


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    nbytes = 0
    for doc in docs:
        batch.append(doc)
        nbytes += len(doc.raw or b"") + len(doc.text or "")
        if len(batch) >= size or nbytes >= BATCH_BYTES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


class Pipeline:
    """An ordered list of stages.

    >>> p = Pipeline(Config(jobs=1))
    >>> [d.clean_text for d in p.run([Document(source="a.txt", raw="标题\\n\\n标题\\n正文。".encode())])]
    ['标题\\n正文。']
    """

    def __init__(self, config: Config, stages: list[Stage] | None = None, *, folder_grouped: bool = False) -> None:
        """``folder_grouped``: the documents come folder by folder, no folder twice (one
        input folder): observing corpus stages may then work a folder at a time."""
        self.config = config
        self.folder_grouped = folder_grouped
        self.stages = build_stages(config) if stages is None else stages
        split = next((i for i, s in enumerate(self.stages) if s.corpus), len(self.stages))
        self.mapped = self.stages[:split]
        self.sequential = self.stages[split:]

    def _map(self, docs: Iterable[Document], observers: list[Stage]) -> Iterator[Any]:
        """The documents through the per-document stages: documents, or with observers,
        (summaries, document or its pickled bytes) pairs."""
        workers = self.config.workers
        if workers <= 1:
            for batch in _batches(docs, self.config.batch_size):
                for doc in run_batch(self.mapped, batch):
                    yield (observations(doc, observers), segment_of(doc), doc) if observers else doc
            return
        pool = _WorkerPool(workers, self.config, self.mapped, observers)
        try:
            pending: deque[tuple[list[Document], Future, ProcessPoolExecutor]] = deque()
            for batch in _batches(docs, self.config.batch_size):
                pending.append(pool.submit(batch))
                while len(pending) > 2 * workers:
                    yield from pool.result(*pending.popleft())
            while pending:
                yield from pool.result(*pending.popleft())
        except BaseException:
            pool.close(cancel=True)
            raise
        pool.close(cancel=False)

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Every document, processed, in input order (kept, dropped and errored alike)."""
        observers = [s for s in self.sequential if s.needs_observe]
        mapped = self._map(docs, observers)
        if observers:
            mapped = self._observe(mapped, observers, self.folder_grouped)
        for doc in mapped:
            for stage in self.sequential:
                doc = run_stage(stage, doc)
            yield finish_document(doc)
        for stage in self.stages:
            stage.finish()

    @staticmethod
    def _observe(
        items: Iterator[tuple[list[Any] | None, str | None, Document | bytes]],
        observers: list[Stage],
        folder_grouped: bool,
    ) -> Iterator[Document]:
        spool: IO[bytes] = tempfile.TemporaryFile(prefix="newsclean-spool-")

        def drain(count: int) -> Iterator[Document]:
            spool.seek(0)
            for _ in range(count):
                size = int.from_bytes(spool.read(8), "little")
                yield pickle.loads(spool.read(size))
            spool.seek(0)
            spool.truncate()

        with spool:
            count = 0
            current: str | None = None
            for summaries, segment, doc in items:
                if summaries is not None:  # errored and dropped documents belong to no segment
                    if segment is None:
                        folder_grouped = False  # a url-domain group: only the end closes it
                    elif folder_grouped and count and segment != current:
                        # every document of the folder before has been observed
                        yield from drain(count)
                        count = 0
                    current = segment
                    for stage, summary in zip(observers, summaries, strict=True):
                        stage.absorb(summary)
                blob = doc if isinstance(doc, bytes) else pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
                spool.write(len(blob).to_bytes(8, "little"))
                spool.write(blob)
                count += 1
            yield from drain(count)
