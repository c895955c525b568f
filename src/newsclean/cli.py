"""The command line: options are turned into a Config and handed to the pipeline."""

from __future__ import annotations

import os
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


# -- check and rule ----------------------------------------------------------------------

#: exit codes of `check`
EXIT_CHECK_FAILED = 1


def _codes_option(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select NC1,NC5 --select NC402`` -> ("NC1", "NC5", "NC402")."""
    return tuple(part.strip().upper() for value in values for part in value.split(",") if part.strip())


@cli.command("check")
@pipeline_options
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text for a terminal, github for workflow annotations, json or sarif for tools.",
)
@click.option("-o", "--output", default="-", show_default=True, help="Write the findings here (- is stdout).")
@click.option("--select", multiple=True, help="Report only these codes or prefixes (NC1,NC501; repeatable).")
@click.option("--ignore", multiple=True, help="Do not report these codes or prefixes (repeatable).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the check (default: warning, so info findings only inform).",
)
@click.option(
    "--max-dup-ratio",
    type=click.FloatRange(0, 1),
    help="Fail on duplicates (NC5xx) only if more than this share of documents has one.",
)
@click.option(
    "--max-boilerplate-ratio",
    type=click.FloatRange(0, 1),
    help="Fail on spam/boilerplate (NC3xx) only if more than this share of documents has one.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="Findings recorded in this file do not fail the check (only new ones do).",
)
@click.option("--write-baseline", is_flag=True, help="Record today's findings in the --baseline file and pass.")
def check_command(
    inputs: tuple[str, ...],
    output_format: str,
    output: str,
    write_baseline: bool,
    verbose: bool,
    **options: Any,
) -> None:
    """Check INPUT files and folders: run the clean stages, write nothing cleaned, and
    report findings with rule codes at path:line:col.

    \b
    Findings fail the check when their severity is error or warning (see --fail-on);
    with --max-dup-ratio / --max-boilerplate-ratio those families fail on a ratio of
    documents instead. Settings can also come from [tool.newsclean] in pyproject.toml
    or newsclean.toml (select, ignore, fail_on, max_dup_ratio, max_boilerplate_ratio,
    baseline); command-line options win. `newsclean rule CODE` explains a code.

    \b
    Examples:
      newsclean check corpus/
      newsclean check corpus/ --output-format github --max-dup-ratio 0.05
      newsclean check corpus/ --baseline .newsclean-baseline.json --write-baseline
      newsclean check corpus/ --output-format sarif -o newsclean.sarif

    Exit codes: 0 passed, 1 findings over the thresholds, 2 usage or configuration error.
    """
    from newsclean.check import run_check
    from newsclean.check import write_baseline as save_baseline
    from newsclean.findings import FORMATTERS, CodeFileError, load_codes
    from newsclean.io.sinks import AtomicFile
    from newsclean.pipeline import build_stages

    for key in ("select", "ignore"):
        options[key] = _codes_option(options[key])
    try:
        config = make_config(options)
        build_stages(config)
        if all(entry.origin == "built in" for entry in load_codes().entries):
            raise ConfigError("no rule code files found (rules/codes/*.toml missing from the installation)")
        if write_baseline and not config.baseline:
            raise ConfigError("--write-baseline needs --baseline FILE (or baseline in the settings file)")
        if config.baseline and not write_baseline and not os.path.isfile(config.baseline):
            raise ConfigError(f"baseline {config.baseline} does not exist (create it with --write-baseline)")
        from newsclean.check import validate

        validate(config)
    except (ConfigError, CodeFileError) as exc:
        raise click.UsageError(str(exc)) from exc
    # No SIGTERM handler here (unlike clean): check writes nothing until the end, and forked
    # pool workers would inherit the handler and print tracebacks when the pool terminates.
    try:
        result = run_check(list(inputs), config, use_baseline=not write_baseline)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("\nnewsclean: interrupted", err=True)
        sys.exit(130)
    if write_baseline:
        assert config.baseline is not None
        count = save_baseline(config.baseline, result.findings)
        click.echo(f"newsclean: recorded {count} findings in {config.baseline}", err=True)
        sys.exit(EXIT_OK)
    try:
        out = AtomicFile(output)
        out.write(FORMATTERS[output_format](result))
        out.commit()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        click.echo(f"newsclean: error: cannot write {output}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if verbose and output_format != "text":
        from newsclean.findings import summary_lines

        click.echo("\n".join(summary_lines(result)), err=True)
    sys.exit(EXIT_OK if result.passed else EXIT_CHECK_FAILED)


@cli.command("rule")
@click.argument("code", required=False)
def rule_command(code: str | None) -> None:
    """Explain a rule code (NC501) or stage/rule (dedup/exact-duplicate); list all without one.

    Exit codes: 0 shown, 2 no such code.
    """
    from newsclean.findings import load_codes

    book = load_codes()
    if code is None:
        for entry in sorted(book.entries, key=lambda e: e.code):
            rule = "*" if entry.rule == "*" else entry.rule
            click.echo(f"{entry.code}  {entry.severity:<7}  {entry.stage}/{rule:<24} {entry.message}")
        return
    entry = book.get(code)
    if entry is None:
        raise click.UsageError(f"no rule code {code!r} (`newsclean rule` lists them)")
    click.echo(entry.explain())
