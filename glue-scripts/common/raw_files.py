"""Raw-zone files: listing the new ones, checking that each can be read, and the job's record of the
files it has processed (the twin's high-water mark; Glue job bookmarks play this part on AWS).

Paths are local folders or ``s3://bucket/prefix`` URIs. Local paths use the standard library; S3
uses boto3 (present on Glue), imported only when an s3:// path is given.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import zlib
from dataclasses import dataclass
from typing import IO, Iterable

RAW_EVENTS_PREFIX = "events"  # lib/lake/lake-layout.ts RAW_EVENTS_PREFIX
CHUNK = 1 << 20


@dataclass(frozen=True)
class RawFile:
    """A raw object: its path relative to the raw root (the S3 key on AWS), size and modification time."""

    key: str
    size: int
    mtime: float


def join(root: str, *parts: str) -> str:
    """``root/part/...`` for a local folder or an s3:// URI."""
    return "/".join([root.rstrip("/")] + [p.strip("/") for p in parts if p])


def _is_s3(path: str) -> bool:
    return path.startswith("s3://")


def _s3():  # pragma: no cover - needs AWS
    import boto3  # lazily: only Glue and AWS runs need it

    return boto3.client("s3")


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def list_raw_files(raw_root: str, streams: Iterable[str]) -> list[RawFile]:
    """Every file under ``<raw_root>/events/stream=<s>/`` for the given streams, sorted by key.
    Hidden files and folders (``.`` or ``_`` prefix, e.g. Spark's ``_SUCCESS``) are skipped."""
    found: list[RawFile] = []
    for stream in sorted(set(streams)):
        prefix = f"{RAW_EVENTS_PREFIX}/stream={stream}/"
        if _is_s3(raw_root):  # pragma: no cover - needs AWS
            bucket, root_key = _split_s3(join(raw_root, prefix))
            base = _split_s3(raw_root.rstrip("/") + "/")[1]
            pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root_key)
            for page in pages:
                for obj in page.get("Contents", []):
                    name = obj["Key"].rsplit("/", 1)[-1]
                    if name and not name.startswith((".", "_")):
                        found.append(RawFile(obj["Key"][len(base):], obj["Size"], obj["LastModified"].timestamp()))
            continue
        top = os.path.join(raw_root, prefix)
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(files):
                if name.startswith((".", "_")):
                    continue
                full = os.path.join(folder, name)
                st = os.stat(full)
                found.append(RawFile(os.path.relpath(full, raw_root).replace(os.sep, "/"), st.st_size, st.st_mtime))
    return sorted(found, key=lambda f: f.key)


def open_binary(path: str) -> IO[bytes]:
    """A binary stream of a local file or an S3 object (streamed, not loaded in memory)."""
    if _is_s3(path):  # pragma: no cover - needs AWS
        bucket, key = _split_s3(path)
        return _s3().get_object(Bucket=bucket, Key=key)["Body"]
    return open(path, "rb")


def unreadable_reason(path: str) -> str | None:
    """None when the file can be read to its end; else why not. A ``.gz`` file is stream-decompressed
    to its end (a corrupt or truncated gzip fails here, before Spark sees it); any file must be UTF-8."""
    try:
        with open_binary(path) as raw:
            stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.endswith(".gz") else raw
            decoder = codecs.getincrementaldecoder("utf-8")()
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as err:
        kind = "gzip" if path.endswith(".gz") else "file"
        return f"cannot read {kind}: {type(err).__name__}: {err}"


def read_text(path: str) -> str | None:
    """The text of a local file or S3 object, None when it does not exist."""
    if _is_s3(path):  # pragma: no cover - needs AWS
        bucket, key = _split_s3(path)
        client = _s3()
        try:
            return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        except client.exceptions.NoSuchKey:
            return None
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_text(path: str, text: str) -> None:
    """Write a local file (atomically, via a temporary file) or an S3 object."""
    if _is_s3(path):  # pragma: no cover - needs AWS
        bucket, key = _split_s3(path)
        _s3().put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def load_processed(state_file: str) -> dict[str, dict]:
    """The processed-files record: key -> {size, mtime, run_id}. Empty when there is none yet."""
    text = read_text(state_file)
    if text is None:
        return {}
    try:
        return json.loads(text)["files"]
    except (ValueError, KeyError) as err:
        raise ValueError(
            f"The job state {state_file} is not valid ({err}); restore it from a backup or delete it "
            "(the next run then re-reads every raw file, and deduplication against curated keeps the "
            "curated data unchanged)."
        ) from err


def new_files(files: list[RawFile], processed: dict[str, dict]) -> list[RawFile]:
    """The files not processed yet, or whose size or mtime changed since (re-read; dedupe keeps it safe)."""
    return [
        f for f in files
        if f.key not in processed
        or processed[f.key].get("size") != f.size
        or processed[f.key].get("mtime") != f.mtime
    ]


def record_processed(processed: dict[str, dict], files: list[RawFile], run_id: str) -> str:
    """The new state file text with ``files`` added."""
    merged = dict(processed)
    for f in files:
        merged[f.key] = {"size": f.size, "mtime": f.mtime, "run_id": run_id}
    return json.dumps({"files": dict(sorted(merged.items()))}, indent=1)


__all__ = [
    "RawFile", "join", "list_raw_files", "open_binary", "unreadable_reason", "read_text", "write_text",
    "load_processed", "new_files", "record_processed",
]
