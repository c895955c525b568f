"""The command line: options are turned into a Config and handed to the pipeline."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from newsclean import __version__
from newsclean.config import Config, ConfigError, load_config_file
from newsclean.document import Document
from newsclean.run import Outputs, clean
from newsclean.stages import REGISTRY

#: exit codes (also in the README)
EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE = 0, 1, 2


class DefaultGroup(click.Group):
    """``newsclean samples/`` means ``newsclean clean samples/``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["clean", *args]
        return super().parse_args(ctx, args)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def pipeline_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``clean`` and ``check``: inputs and stages."""
    options = [
        click.argument("inputs", nargs=-1, required=True, metavar="INPUT..."),
        click.option(
            "--glob",
            "globs",
            multiple=True,
            help="File name pattern to read from folders (repeatable; default *.txt *.html *.htm *.jsonl).",
        ),
        click.option(
            "--input-format",
            type=click.Choice(["auto", "text", "html", "jsonl"]),
            help="Format of stdin (default: auto-detect).",
        ),
        click.option("--text-field", help="JSONL field holding the text (default: text)."),
        click.option(
            "--to", "to", help="Convert to hans, hant, tw, hk, keep (default), or an OpenCC config such as s2twp."
        ),
        click.option("--skip", multiple=True, help="Turn a stage off (repeatable; see `newsclean stages`)."),
        click.option(
            "--drop-damaged",
            is_flag=True,
            default=None,
            help="Drop lines whose mojibake could not be repaired (default: keep, flagged).",
        ),
        click.option(
            "--rules", multiple=True, type=click.Path(dir_okay=False), help="Extra filter rule file (TOML; repeatable)."
        ),
        click.option(
            "--disable-rule", "disable_rules", multiple=True, help="Switch a filter rule off by id (repeatable)."
        ),
        click.option(
            "--profile",
            type=click.Path(dir_okay=False),
            help="Load a learned-boilerplate profile instead of learning one.",
        ),
        click.option(
            "--profile-out", type=click.Path(dir_okay=False), help="Write the learned-boilerplate profile here."
        ),
        click.option("--index", type=click.Path(dir_okay=False), help="SQLite dedup index kept between runs."),
        click.option(
            "--dedup-threshold", type=click.FloatRange(0, 100), help="Near-duplicate similarity, 0-100 (default 90)."
        ),
        click.option("-j", "--jobs", type=click.IntRange(0), help="Worker processes (default: number of cores)."),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="Settings file (default: newsclean.toml or [tool.newsclean] in pyproject.toml).",
        ),
        click.option("-v", "--verbose", is_flag=True, help="Summary on stderr even in a pipe."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def make_config(options: dict[str, Any]) -> Config:
    """Defaults, then the settings file, then the command line."""
    settings = load_config_file(options.pop("config_file", None))
    config = Config.from_mapping(settings)
    given = {k: v for k, v in options.items() if v not in (None, ())}
    return Config.from_mapping(given, base=config)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsclean")
def cli() -> None:
    """Clean scraped Chinese news into deduplicated JSONL.

    \b
    Examples:
      newsclean clean samples/ -o clean.jsonl --rejects rejects.jsonl
      cat page.txt | newsclean clean - | jq -r .text
      newsclean stages

    Exit codes: 0 all inputs processed, 1 some inputs had errors, 2 usage error.
    """


@cli.command("clean")
@pipeline_options
@click.option("-o", "--output", default="-", show_default=True, help="Output JSONL (written atomically; - is stdout).")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    help="JSONL audit trail: every line dropped or changed, with stage, rule and reason.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    help="JSON summary: documents, bytes, counts per stage and rule, errors.",
)
def clean_command(
    inputs: tuple[str, ...], output: str, rejects: str | None, report: str | None, verbose: bool, **options: Any
) -> None:
    """Clean INPUT files and folders (- for stdin) into JSONL, one record per document.

    \b
    Reads .txt .html .htm .jsonl (any case) from folders, recursively, in sorted order.
    Each record has id, source, text (one paragraph per line), encoding, script and
    changes; other JSONL fields are kept unchanged.

    \b
    Examples:
      newsclean clean samples/ -o out.jsonl --rejects rejects.jsonl --report report.json
      newsclean clean --to hans corpus/ -o out.jsonl
      cat page.txt | newsclean clean - | jq -r .text

    Exit codes: 0 all inputs processed, 1 some inputs had errors (reported, skipped),
    2 usage error.
    """
    try:
        config = make_config(options)
        from newsclean.pipeline import build_stages

        build_stages(config)  # validate stage options before any output is opened
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    _check_outputs(inputs, [output, rejects, report])
    signal.signal(signal.SIGTERM, _terminate)
    show_progress = sys.stderr.isatty()

    def on_error(doc: Document) -> None:
        click.echo(f"newsclean: error: {doc.source}: {doc.error}", err=True)

    done = [0]

    def on_document(doc: Document) -> None:
        done[0] += 1
        if show_progress and done[0] % 100 == 0:
            click.echo(f"\r{done[0]} documents", err=True, nl=False)

    try:
        summary = clean(list(inputs), config, Outputs(output, rejects, report), on_error, on_document)
    except KeyboardInterrupt:
        click.echo(
            f"\nnewsclean: interrupted after {done[0]} documents; no output file was written (rerun to finish)",
            err=True,
        )
        sys.exit(130)
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_INPUT_ERRORS)
    except OSError as exc:
        click.echo(f"newsclean: error: cannot write output: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if show_progress:
        click.echo("\r", err=True, nl=False)
    if verbose or show_progress:
        click.echo(summary.summary(), err=True)
    sys.exit(EXIT_INPUT_ERRORS if summary.error_count else EXIT_OK)


def _check_outputs(inputs: tuple[str, ...], outputs: list[str | None]) -> None:
    import os

    real_inputs = {os.path.realpath(i) for i in inputs if i != "-" and os.path.isfile(i)}
    for out in outputs:
        if out and out != "-" and os.path.realpath(out) in real_inputs:
            raise click.UsageError(f"output {out} is also an input; choose another path")


@cli.command("stages")
def stages_command() -> None:
    """List the pipeline's stages in order, one line each."""
    for cls in REGISTRY:
        click.echo(f"{cls.name:<10} {cls.description}")


def main() -> None:
    cli(prog_name="newsclean")
