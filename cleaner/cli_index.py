"""`cleaner index ...`: the persistent near-copy index's own commands (a thin typer layer),
and the options `clean` and `dedup` share to use it."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cleaner.corpus.signatures import DedupConfig
from cleaner.run.options import BatchError
from cleaner.run.stop import Interrupted, stop_on_signals

# The index (SQLite) is imported by the commands that use it, not by every command.
if TYPE_CHECKING:
    from cleaner.corpus.index import CopyIndex

index_app = typer.Typer(help="The persistent near-copy index (--index).", no_args_is_help=True)

IndexOption = Annotated[
    Path | None,
    typer.Option(
        "--index",
        help="Near-copy index (SQLite file, made if missing): check against earlier "
        "batches, then add this one.",
    ),
]
BatchNameOption = Annotated[
    str | None,
    typer.Option(help="The batch's name in the index (default: the output folder's path)."),
]

_EXIT_USAGE = 2


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    return typer.Exit(_EXIT_USAGE)


@contextlib.contextmanager
def _changing_the_index() -> Iterator[None]:
    """Stop signals end the command with the index as it was; refusals are usage errors."""
    try:
        with stop_on_signals():
            yield
    except BatchError as error:
        raise _fail(str(error)) from None
    except Interrupted as stop:
        Console(stderr=True).print("interrupted: the index is unchanged")
        raise typer.Exit(stop.exit_code) from None


def _open(path: Path) -> CopyIndex:
    from cleaner.corpus.index import CopyIndex, CopyIndexError

    try:
        return CopyIndex(path, DedupConfig(), create=False)
    except CopyIndexError as error:
        raise _fail(str(error)) from None


@index_app.command("stats")
def stats(path: Annotated[Path, typer.Argument(help="The index file.")]) -> None:
    """Documents, batches and size of an index.

    Example: cleaner index stats near-copies.db
    """
    with _open(path) as index:
        found = index.stats()
        check = index.integrity()
    table = Table(title=f"index {found.path}", show_header=False)
    table.add_column("", style="bold")
    table.add_column()
    table.add_row("documents", f"{found.documents:,}")
    per_doc = found.file_bytes / max(1, found.documents)
    table.add_row(
        "on disk", f"{found.file_bytes / 2**20:,.1f} MB ({per_doc:,.0f} bytes a document)"
    )
    table.add_row("texts", f"{found.text_bytes / 2**20:,.1f} MB compressed")
    table.add_row("band rows", f"{found.band_rows:,} in {found.segments} segments")
    table.add_row("integrity", check)
    for batch in found.batches:
        table.add_row(f"  {batch.name}", f"{batch.documents:,} documents, {batch.indexed_at}")
    Console().print(table)


@index_app.command("prune")
def prune(
    path: Annotated[Path, typer.Argument(help="The index file.")],
    before: Annotated[str, typer.Option(help="Remove batches indexed before this date.")],
) -> None:
    """Remove the batches indexed before a date (YYYY-MM-DD), in one transaction.

    Example: cleaner index prune near-copies.db --before 2024-01-01
    """
    try:
        datetime.date.fromisoformat(before[:10])
    except ValueError:
        raise _fail(f"--before must be a date (YYYY-MM-DD), not {before!r}") from None
    from cleaner.run.indexing import open_index

    with _changing_the_index(), open_index(path, DedupConfig()) as index:
        names, removed = index.prune(before)
    Console().print(f"{len(names)} batches ({removed:,} documents) removed", highlight=False)
    for name in names:
        Console().print(Text(f"  {name}"), soft_wrap=True)


@index_app.command("add")
def add(
    out: Annotated[str, typer.Argument(help="A `cleaner clean` output folder.")],
    index: Annotated[Path, typer.Option("--index", help="The index file (made if missing).")],
    batch_name: BatchNameOption = None,
) -> None:
    """Index an existing output folder (its manifest's ok documents) as one batch.

    Example: cleaner index add clean/2024-05-01 --index near-copies.db
    """
    from cleaner.run.indexing import index_folder

    with _changing_the_index():
        added, copies = index_folder(out, index, DedupConfig(), batch_name)
    Console().print(f"{added:,} documents indexed ({copies:,} near copies)", highlight=False)
