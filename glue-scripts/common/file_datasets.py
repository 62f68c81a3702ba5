"""The curated datasets of third-party files: the ``file_datasets`` array of ``contracts/datasets.json``
(the event datasets are in ``common/datasets.py``).

Each entry names the dataset, the contract of its rows, the raw-zone feed it comes from
(``third-party/<feed>/received_date=<d>/<file>``), the file formats accepted, the natural key, the
partition key of the curated table, the dedupe policy (``first_wins`` or ``newest_wins``) and the
curated dimensions its columns must reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.datasets import load_catalog, select_named

DEDUPE_POLICIES = ("first_wins", "newest_wins")


@dataclass(frozen=True)
class Reference:
    """A column that must name a row of a curated dimension (``curated/<dataset>/``, column ``key``)."""

    column: str
    dataset: str
    key: str


@dataclass(frozen=True)
class FileDataset:
    """One curated dataset fed by third-party files."""

    name: str
    contract: str
    feed: str
    formats: tuple[str, ...]
    key: tuple[str, ...]
    partition_key: str
    partition_type: str
    dedupe: str
    references: tuple[Reference, ...]


def load_file_datasets(path: Path | None = None) -> list[FileDataset]:
    """Every file dataset of ``contracts/datasets.json``, in file order. Raises ValueError naming the
    entry and what it lacks."""
    out = []
    for d in load_catalog(path).get("file_datasets") or []:
        try:
            ds = FileDataset(
                d["name"], d["contract"], d["feed"], tuple(d["formats"]), tuple(d["key"]),
                d["partition_key"]["name"], d["partition_key"]["type"], d["dedupe"],
                tuple(Reference(r["column"], r["dataset"], r["key"]) for r in d.get("references", [])),
            )
        except KeyError as err:
            raise ValueError(
                f"contracts/datasets.json: file_datasets entry {d.get('name', d)!r} has no {err}; each entry needs "
                "name, contract, feed, formats, key, partition_key {name, type} and dedupe."
            ) from err
        if ds.dedupe not in DEDUPE_POLICIES:
            raise ValueError(
                f"contracts/datasets.json: file_datasets entry {ds.name!r} has dedupe {ds.dedupe!r}; "
                f"use one of {', '.join(DEDUPE_POLICIES)}."
            )
        out.append(ds)
    return out


def select_feeds(all_datasets: list[FileDataset], names: list[str] | None) -> list[FileDataset]:
    """The datasets of the feeds named (all when ``names`` is empty); a dataset name is accepted too."""
    return select_named(all_datasets, names, lambda d: (d.feed, d.name), "feed", "--feeds", "file_datasets")
