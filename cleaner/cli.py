"""Command line: a thin layer over the library (typer)."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cleaner.clean.pipeline import CleanConfig
from cleaner.clean.rules import RuleError, RuleSet, default_rules_dir, load_rules
from cleaner.cli_index import BatchNameOption, IndexOption, index_app
from cleaner.corpus.learn import LearnConfig
from cleaner.corpus.signatures import DedupConfig
from cleaner.read.decode import ReadLimits
from cleaner.read.inputs import count_documents
from cleaner.run.batch import clean_batch
from cleaner.run.dedup_files import dedup_files
from cleaner.run.engine import Engine, LocalEngine
from cleaner.run.learned_rules import learn_rule_files
from cleaner.run.options import BatchError, BatchOptions, BatchReport
from cleaner.run.rule_tests import run_rule_tests
from cleaner.run.stop import Interrupted, stop_on_signals
from cleaner.run.workers import WorkerStartError
from cleaner.storage import filesystem, local_or_url, url_exists, write_url
from cleaner.write.outputs import write_atomic
from cleaner.write.parquet import require_pyarrow

app = typer.Typer(
    help="Strip boilerplate from scraped pages and return clean articles.",
    no_args_is_help=True,
    add_completion=False,
)
rules_app = typer.Typer(help="Per-site rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(index_app, name="index")

EXIT_OK, EXIT_FAILED_INPUTS, EXIT_USAGE = 0, 1, 2

# Options `clean` and `dedup` share: where the work runs.
EngineOption = Annotated[
    str, typer.Option(help="Where the work runs: local (processes here) or dask.")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (default: a local Dask cluster of --jobs)."),
]


def _fail(console: Console, message: str, code: int = EXIT_USAGE) -> typer.Exit:
    # Messages quote regular expressions and selectors: print them verbatim, unwrapped.
    console.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    return typer.Exit(code)


@app.command()
def clean(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Files or folders (walked recursively), or fsspec URLs (s3://...)."),
    ],
    out: Annotated[
        str, typer.Option("--out", "-o", help="Output folder, or an fsspec URL (s3://...).")
    ],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Output form: txt (body only), md, json, or parquet (articles-NNNNN.parquet).",
        ),
    ] = "txt",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 0,
    lang: Annotated[
        str | None, typer.Option(help="Keep only these languages, e.g. 'en,fr'.")
    ] = None,
    drop_duplicates: Annotated[
        bool, typer.Option("--drop-duplicates", help="Leave near copies out of the output.")
    ] = False,
    similarity: Annotated[
        float, typer.Option(help="Word 5-gram Jaccard from which two articles are near copies.")
    ] = DedupConfig().threshold,
    rules_dir: Annotated[
        Path | None, typer.Option("--rules", help="Rule folder (default: the shipped rules).")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Progress bar (on a terminal only).")] = True,
    timeout: Annotated[
        float, typer.Option(help="Seconds one document may take (0: no limit).")
    ] = BatchOptions().timeout_s or 0.0,
    max_input_mb: Annotated[
        float, typer.Option(help="Largest input file, or decompressed input, in MB.")
    ] = ReadLimits().max_bytes / 2**20,
    force: Annotated[
        bool, typer.Option("--force", help="Redo documents a previous run into --out finished.")
    ] = False,
    learn: Annotated[
        bool, typer.Option(help="Learn each site's boilerplate from the batch and remove it.")
    ] = True,
    learn_min_docs: Annotated[
        int, typer.Option(help="Different articles a block must repeat in to be boilerplate.")
    ] = LearnConfig().min_documents,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    index: IndexOption = None,
    batch_name: BatchNameOption = None,
) -> None:
    """Clean scraped pages (.html/.htm/.txt, optionally .gz, .jsonl, WARC, WET) into articles.

    Example: cleaner clean samples --out /tmp/clean --lang en
    """
    console = Console(stderr=True)
    if output_format not in ("txt", "md", "json", "parquet"):
        raise _fail(console, f"--format must be txt, md, json or parquet, not {output_format!r}")
    if output_format == "parquet":
        try:
            require_pyarrow()
        except ImportError as error:
            raise _fail(console, str(error)) from None
    locations = [local_or_url(given) for given in inputs]
    try:
        missing = [str(where) for where in locations if not _exists(where)]
    except ImportError as error:
        raise _fail(console, str(error)) from None
    if missing:
        raise _fail(console, f"no such input: {', '.join(missing)}")
    if not 0.0 < similarity <= 1.0:
        raise _fail(console, "--similarity must be in (0, 1]")
    target = local_or_url(out)
    if isinstance(target, str):
        _check_writable(console, target)
    if timeout < 0 or max_input_mb <= 0:
        raise _fail(console, "--timeout must be >= 0 and --max-input-mb > 0")
    if learn_min_docs < 2:
        raise _fail(console, "--learn-min-docs must be at least 2")
    rules = _rules(console, rules_dir)
    languages = frozenset(x.strip() for x in lang.split(",") if x.strip()) if lang else None
    options = BatchOptions(
        clean=CleanConfig(rules=rules, languages=languages),
        dedup=DedupConfig(threshold=similarity),
        output_format=output_format,  # type: ignore[arg-type]  # checked above
        jobs=jobs if jobs > 0 else (os.cpu_count() or 1),
        drop_duplicates=drop_duplicates,
        limits=ReadLimits(max_bytes=int(max_input_mb * 2**20)),
        timeout_s=timeout or None,
        force=force,
        learn=LearnConfig(enabled=learn, min_documents=learn_min_docs),
        index=index,
        batch_name=batch_name,
    )
    _quiet_extractors()

    started = time.monotonic()
    done = 0  # documents with a row, for the message when the batch is stopped

    def counted(row: dict[str, Any]) -> None:
        nonlocal done
        done += 1

    try:
        with stop_on_signals():
            where = (locations, target)
            report = _clean_batch(console, where, options, engine, scheduler, counted, progress)
    except Interrupted as stop:
        total = count_documents(locations, target, options.limits)
        console.print(
            f"interrupted: {done} of {total} documents done; run the same command again to resume",
            highlight=False,
        )
        raise typer.Exit(stop.exit_code) from None
    _print_summary(report, time.monotonic() - started)
    raise typer.Exit(EXIT_FAILED_INPUTS if report.status["error"] else EXIT_OK)


def _clean_batch(
    console: Console,
    where: tuple[list[Path | str], Path | str],
    options: BatchOptions,
    engine: str,
    scheduler: str | None,
    counted: Callable[[dict[str, Any]], None],
    progress: bool,
) -> BatchReport:
    """The batch (inputs, output), on the engine asked for, with a progress bar on a terminal."""
    locations, target = where
    with _engine(console, engine, scheduler, options.jobs) as runner:
        if not (progress and console.is_terminal):
            try:
                return clean_batch(locations, target, options, counted, runner)
            except (BatchError, WorkerStartError, ImportError) as error:
                raise _fail(console, str(error)) from None
        from rich import progress as bars  # imported only for a terminal (batches seldom have one)

        total = count_documents(locations, target, options.limits)
        columns = (bars.TextColumn("cleaning"), bars.BarColumn(), bars.MofNCompleteColumn())
        bar = bars.Progress(*columns, bars.TimeElapsedColumn(), console=console, transient=True)
        task = bar.add_task("clean", total=total)

        def advance(row: dict[str, Any]) -> None:
            counted(row)
            # Started at the first finished document, once the workers exist: the bar's
            # refresh thread must not be running when they are forked.
            if not bar.live.is_started:
                bar.start()
            bar.advance(task)

        try:
            return clean_batch(locations, target, options, advance, runner)
        except (BatchError, WorkerStartError, ImportError) as error:
            raise _fail(console, str(error)) from None
        finally:
            bar.stop()


def _writable_report(console: Console, out: str) -> Path | str:
    """Where the report goes, checked before the work rather than after it."""
    report = local_or_url(out)
    if isinstance(report, str):
        _check_writable(console, report)
        return report
    probe = report.parent / f".{report.name}.probe"
    try:
        if report.is_dir():
            raise IsADirectoryError("it is a folder")
        report.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(probe, "")
        probe.unlink()
    except OSError as error:
        raise _fail(console, f"cannot write the report to {out}: {error}") from None
    return report


def _check_writable(console: Console, url: str) -> None:
    try:
        filesystem(url)
    except Exception as error:  # unknown protocol, its package missing, bad address
        raise _fail(console, f"cannot write to {url}: {error}") from None


def _exists(location: Path | str) -> bool:
    if isinstance(location, Path):
        return location.exists()
    try:
        return url_exists(location)
    except ImportError:
        raise
    except Exception:  # unknown protocol, unreachable store, no such bucket: each its own
        return False


@contextlib.contextmanager
def _engine(console: Console, name: str, scheduler: str | None, jobs: int) -> Iterator[Engine]:
    """The engine the options ask for; Dask is imported only when asked for."""
    if name == "local":
        if scheduler:
            raise _fail(console, "--scheduler needs --engine dask")
        yield LocalEngine(jobs)
        return
    if name != "dask":
        raise _fail(console, f"--engine must be local or dask, not {name!r}")
    try:
        from cleaner.run.dask_engine import DaskEngine
    except ImportError as error:
        raise _fail(console, str(error)) from None
    with contextlib.ExitStack() as stack:
        try:
            runner = stack.enter_context(DaskEngine.connect(scheduler, workers=jobs))
        except (OSError, TimeoutError, ValueError) as error:  # ValueError: a bad address
            where = scheduler or "a local Dask cluster"
            raise _fail(console, f"cannot reach {where}: {error}") from None
        yield runner


def _rules(console: Console, rules_dir: Path | None) -> RuleSet:
    try:
        return load_rules(rules_dir)
    except RuleError as error:
        raise _fail(console, f"invalid rules:\n{error}") from None


def _quiet_extractors() -> None:
    """trafilatura and htmldate log every odd page; the manifest already says what failed."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def _print_summary(report: BatchReport, seconds: float) -> None:
    console = Console()
    table = Table(
        title=f"cleaner: {report.documents} documents in {seconds:.1f} s", show_header=False
    )
    table.add_column("", style="bold")
    table.add_column()
    for status in ("ok", "dropped", "error"):
        table.add_row(status, str(report.status[status]))
    if report.reused:
        table.add_row("  done before", f"{report.reused} (unchanged since the last run)")
    for reason, count in sorted(report.reasons.items()):
        table.add_row(f"  {reason}", str(count))
    if report.skipped:
        skipped = ", ".join(f"{why} {n}" for why, n in sorted(report.skipped.items()))
        table.add_row("records skipped", f"{report.skipped.total()} ({skipped})")
    if report.learned_documents:
        table.add_row("learned boilerplate", f"removed from {report.learned_documents} documents")
    table.add_row("near copies", str(report.duplicates))
    if report.languages:
        langs = ", ".join(f"{lang} {n}" for lang, n in report.languages.most_common())
        table.add_row("languages", langs)
    if report.sites:
        table.add_row("sites", ", ".join(f"{s} {n}" for s, n in report.sites.most_common()))
    if report.removed:
        table.add_row("removed", ", ".join(f"{r} {n}" for r, n in report.removed.most_common()))
    if report.chars_in:
        kept = report.chars_out / report.chars_in
        chars = f"{report.chars_in:,} in, {report.chars_out:,} out ({kept:.0%})"
        table.add_row("characters", chars)
    if report.tables:
        table.add_row("parquet", f"{len(report.tables)} files ({report.tables[0]}, ...)")
    table.add_row("manifest", str(report.manifest))
    console.print(table)


@app.command()
def dedup(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Clean texts: .txt files or folders, or JSONL (id, text); paths or URLs."
        ),
    ],
    out: Annotated[
        str, typer.Option("--out", "-o", help="Report (JSONL) to write: a path or a URL.")
    ],
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 0,
    similarity: Annotated[
        float, typer.Option(help="Word 5-gram Jaccard from which two texts are near copies.")
    ] = DedupConfig().threshold,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    index: IndexOption = None,
    batch_name: BatchNameOption = None,
) -> None:
    """Find near copies among already-clean texts; one report row per flagged document.

    Example: cleaner dedup clean/ --out near-copies.jsonl
    """
    console = Console(stderr=True)
    locations = [local_or_url(given) for given in inputs]
    try:
        missing = [str(where) for where in locations if not _exists(where)]
    except ImportError as error:
        raise _fail(console, str(error)) from None
    if missing:
        raise _fail(console, f"no such input: {', '.join(missing)}")
    if not 0.0 < similarity <= 1.0:
        raise _fail(console, "--similarity must be in (0, 1]")
    report = _writable_report(console, out)
    started = time.monotonic()
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    try:
        with stop_on_signals(), _engine(console, engine, scheduler, workers) as runner:
            config = DedupConfig(threshold=similarity)
            result = dedup_files(
                locations, config, engine=runner, index=index, batch_name=batch_name
            )
    except Interrupted as stop:
        console.print(
            f"interrupted: no report written to {out}; run the same command again", highlight=False
        )
        raise typer.Exit(stop.exit_code) from None
    rows = "".join(
        json.dumps(
            {"id": found.id, "duplicate_of": found.duplicate_of, "similarity": found.similarity},
            ensure_ascii=False,
        )
        + "\n"
        for found in result.duplicates
    )
    try:
        if isinstance(report, str):
            write_url(report, rows.encode("utf-8"))
        else:
            write_atomic(report, rows)
    except Exception as error:  # the store's own errors too: said plainly, once
        raise _fail(console, f"cannot write the report to {out}: {error}") from None
    seconds = time.monotonic() - started
    console.print(
        f"{result.documents} texts, {len(result.duplicates)} near copies, "
        f"{len(result.errors)} unreadable, in {seconds:.1f} s; report: {out}",
        highlight=False,
    )
    for where, reason in result.errors[:10]:
        console.print(Text(f"  {where}: {reason}"), soft_wrap=True)
    raise typer.Exit(EXIT_FAILED_INPUTS if result.errors else EXIT_OK)


@rules_app.command("check")
def rules_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Rule folder (default: the shipped rules).")
    ] = None,
) -> None:
    """Validate rule files and run the sample tests each one names.

    Example: cleaner rules check rules/
    """
    console = Console()
    folder = directory or default_rules_dir()
    try:
        rules = load_rules(folder)
    except RuleError as error:
        raise _fail(Console(stderr=True), f"invalid rules:\n{error}") from None
    results = list(run_rule_tests(rules))
    failed = [result for result in results if not result.passed]
    for result in results:
        mark = Text("pass", "green") if result.passed else Text("FAIL", "red")
        console.print(mark + Text(f" {result.site}: {result.test.input.name}"), soft_wrap=True)
        for failure in result.failures:
            console.print(Text(f"     {failure}"), soft_wrap=True)
    console.print(
        f"{len(rules.sites)} rule files valid; {len(results) - len(failed)}/{len(results)} "
        f"sample tests pass",
        highlight=False,
    )
    raise typer.Exit(EXIT_USAGE if failed else EXIT_OK)


@rules_app.command("learn")
def rules_learn(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders, as for `clean`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the rule files.")],
    min_docs: Annotated[
        int, typer.Option(help="Different articles a block must repeat in to be learned.")
    ] = LearnConfig().min_documents,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes.")] = 0,
    rules_dir: Annotated[
        Path | None, typer.Option("--rules", help="Rule folder (default: the shipped rules).")
    ] = None,
) -> None:
    """Learn each site's boilerplate from a batch and write it as rule files to review.

    Example: cleaner rules learn scrape/ --out rules/learned/
    """
    console = Console(stderr=True)
    missing = [str(path) for path in inputs if not path.exists()]
    if missing:
        raise _fail(console, f"no such input: {', '.join(missing)}")
    if min_docs < 2:
        raise _fail(console, "--min-docs must be at least 2")
    rules = _rules(console, rules_dir)
    _quiet_extractors()
    options = BatchOptions(
        clean=CleanConfig(rules=rules),
        jobs=jobs if jobs > 0 else (os.cpu_count() or 1),
        learn=LearnConfig(min_documents=min_docs),
    )
    try:
        with stop_on_signals():
            written = learn_rule_files(inputs, out, options)
    except Interrupted as stop:
        console.print(
            f"interrupted: no rule files written to {out}; run the same command again",
            highlight=False,
        )
        raise typer.Exit(stop.exit_code) from None
    for path in written:
        Console().print(str(path), highlight=False, soft_wrap=True)
    Console().print(f"{len(written)} rule files written; review them, then move them into rules/")


def main() -> Any:
    try:
        return app()
    finally:
        # The command is done: what it loaded (language profiles: 90,000 lists) is moved out
        # of the collector's reach, or the interpreter's last collections walk all of it on
        # the way out, a quarter of a second after the work has ended.
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
