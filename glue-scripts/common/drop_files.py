"""Third-party drops in the raw zone (``third-party/<feed>/received_date=<YYYY-MM-DD>/<file>``): listing
them, telling their format from the file name, and reading a CSV file's header line.

Listing returns ``common.raw_files.RawFile`` values, so the processed-files state of
``common.raw_files`` (load_processed / new_files / record_processed) works unchanged. Local folders use
the standard library; ``s3://`` URIs use boto3 (present on Glue), imported only when one is given.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
from typing import IO, Iterable

from common.raw_files import RawFile, join, open_binary

THIRD_PARTY_PREFIX = "third-party"  # generator/third-party.ts THIRD_PARTY_PREFIX
FORMATS_BY_EXTENSION = {".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json"}
RECEIVED_DATE = re.compile(r"/received_date=(\d{4}-\d{2}-\d{2})/")
MAX_HEADER_BYTES = 1 << 16


def list_files(root: str, prefixes: Iterable[str]) -> list[RawFile]:
    """Every file under ``<root>/<prefix>/`` for the given prefixes, keys relative to ``root``, sorted.
    Hidden files and folders (``.`` or ``_`` prefix, e.g. Spark's ``_SUCCESS``) are skipped."""
    found: list[RawFile] = []
    for prefix in sorted(set(prefixes)):
        prefix = prefix.strip("/") + "/"
        if root.startswith("s3://"):  # pragma: no cover - needs AWS
            import boto3  # lazily: only Glue and AWS runs need it

            bucket, _, base = (root.rstrip("/") + "/")[len("s3://"):].partition("/")
            pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base + prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(base):]
                    if not any(part.startswith((".", "_")) for part in rel.split("/")):
                        found.append(RawFile(rel, obj["Size"], obj["LastModified"].timestamp()))
            continue
        for folder, dirs, files in os.walk(os.path.join(root, prefix)):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
            for name in sorted(files):
                if not name.startswith((".", "_")):
                    full = os.path.join(folder, name)
                    st = os.stat(full)
                    found.append(RawFile(os.path.relpath(full, root).replace(os.sep, "/"), st.st_size, st.st_mtime))
    return sorted(found, key=lambda f: f.key)


def feed_prefix(feed: str) -> str:
    """The raw-zone prefix of a feed: ``third-party/<feed>``."""
    return f"{THIRD_PARTY_PREFIX}/{feed}"


def file_format(key: str) -> str | None:
    """``csv`` or ``json`` (JSON Lines) from the file name, ``.gz`` allowed after it; None otherwise."""
    name = key.rsplit("/", 1)[-1].lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    ext = os.path.splitext(name)[1]
    return FORMATS_BY_EXTENSION.get(ext)


def received_date(key: str) -> str | None:
    """The ``received_date=YYYY-MM-DD`` folder of a drop's key, None when it has none."""
    m = RECEIVED_DATE.search("/" + key)
    return m.group(1) if m else None


def first_line(path: str) -> str | None:
    """The first line of a (gzip) text file without its line end, None for an empty file. Only the
    start of the file is read (a header longer than 64 KiB is cut there)."""
    with open_binary(path) as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.endswith(".gz") else raw
        head = stream.read(MAX_HEADER_BYTES)
    if not head:
        return None
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head)
    return re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]


def header_columns(line: str) -> list[str]:
    """The column names of a CSV header line (a UTF-8 byte order mark and surrounding spaces removed,
    RFC 4180 quotes honoured)."""
    import csv

    row = next(csv.reader([line.lstrip("\ufeff")]), [])
    return [c.strip() for c in row]


__all__ = ["THIRD_PARTY_PREFIX", "list_files", "feed_prefix", "file_format", "received_date", "first_line",
           "header_columns", "join"]
