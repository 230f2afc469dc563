"""A batch's output folder: a local path, or an fsspec URL so a cluster can write to
object storage.

Local paths keep the local guarantees (temp file + rename). Object stores have no rename,
but a single put is atomic there: an output written with one `pipe` is complete or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cleaner.storage import filesystem, is_url, join_url, local_or_url, write_url
from cleaner.write.outputs import OutputFormat, write_atomic


@dataclass(frozen=True)
class Folder:
    """A batch's output folder: a local path or a URL. Picklable, so workers get it."""

    root: str

    @classmethod
    def of(cls, location: str | Path) -> Folder:
        where = local_or_url(location)
        return cls(where if isinstance(where, str) else str(where.absolute()))

    @property
    def local(self) -> Path | None:
        """The local path, or None for a URL."""
        return None if is_url(self.root) else Path(self.root)

    def write(self, relative: str, content: str) -> None:
        """Complete or absent, never half written."""
        local = self.local
        if local is not None:
            write_atomic(local / relative, content)
        else:
            write_url(join_url(self.root, relative), content.encode("utf-8"))

    def read_bytes(self, relative: str) -> bytes:
        local = self.local
        if local is not None:
            return (local / relative).read_bytes()
        fs, root = filesystem(self.root)
        try:
            return bytes(fs.cat_file(f"{root}/{relative}"))
        except OSError:
            raise
        except Exception as error:  # the store's own errors, as the OSError callers expect
            raise OSError(str(error)) from error

    def exists(self, relative: str) -> bool:
        local = self.local
        if local is not None:
            return (local / relative).exists()
        fs, root = filesystem(self.root)
        return bool(fs.exists(f"{root}/{relative}"))

    def unlink(self, relative: str) -> None:
        local = self.local
        if local is not None:
            (local / relative).unlink(missing_ok=True)
            return
        fs, root = filesystem(self.root)
        if fs.exists(f"{root}/{relative}"):
            fs.rm_file(f"{root}/{relative}")

    def read_body(self, relative: str, fmt: OutputFormat, start: int) -> str:
        """The body of an output written by `render`, given its `body_start`."""
        return body_of(self.read_bytes(relative), fmt, start)

    def remove_matching(self, pattern: re.Pattern[str]) -> None:
        """Delete the files under the folder whose names match (leftovers of a killed run)."""
        local = self.local
        if local is not None:
            for folder, _, names in os.walk(local):
                for name in names:
                    if pattern.match(name):
                        Path(folder, name).unlink(missing_ok=True)
            return
        fs, root = filesystem(self.root)
        for found in fs.find(root):
            if pattern.match(found.rsplit("/", 1)[-1]):
                fs.rm_file(found)


def body_of(data: bytes, fmt: OutputFormat, start: int) -> str:
    """The body of an output file's bytes written by `render`, given its `body_start`."""
    if fmt == "json":
        return str(json.loads(data)["text"])
    return data[start:].decode("utf-8").removesuffix("\n")


def with_body(data: bytes, fmt: OutputFormat, start: int, body: str) -> str:
    """An output file's content (bytes written by `render`) with another body, its header
    kept."""
    if fmt == "json":
        record = json.loads(data)
        record["text"] = body
        return json.dumps(record, ensure_ascii=False) + "\n"
    return data[:start].decode("utf-8") + body + "\n"


def journal_folder(url: str) -> Path:
    """Where this machine keeps the journal of a batch written to a URL (a manifest must be
    appended to as documents finish, which object stores cannot do)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.blake2b(url.rstrip("/").encode(), digest_size=8).hexdigest()
    return Path(cache) / "cleaner" / "journals" / digest
