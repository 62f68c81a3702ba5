"""The curated datasets of the lake, read from ``contracts/datasets.json`` (the single list that the
Glue catalog, the Glue jobs and the local twin share), and the Spark schema of the quarantine rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

T_ = TypeVar("T_")

from pyspark.sql import types as T

from common.contract_files import read_contract_json
from common.contract_schema import REPO_ROOT

DATASETS_FILE = REPO_ROOT / "contracts" / "datasets.json"

_SPARK_TYPES = {"string": T.StringType(), "timestamp": T.TimestampType()}


@dataclass(frozen=True)
class Dataset:
    """One curated dataset: its name, the contract of its rows, the raw stream it comes from, and the
    event types routed to it."""

    name: str
    contract: str
    stream: str
    event_types: tuple[str, ...]


def load_catalog(path: Path | None = None) -> dict[str, Any]:
    """The parsed ``contracts/datasets.json``: from ``path`` when given, else from the job's package
    or the repository (common.contract_files)."""
    if path is None:
        return read_contract_json("datasets.json")
    return json.loads(path.read_text(encoding="utf-8"))


def load_datasets(path: Path | None = None) -> list[Dataset]:
    """Every event dataset of ``contracts/datasets.json``, in file order."""
    return [
        Dataset(d["name"], d["contract"], d["stream"], tuple(d["event_types"]))
        for d in load_catalog(path)["event_datasets"]
    ]


def select_named(all_datasets: list[T_], names: list[str] | None, aliases: Callable[[T_], Iterable[str]],
                 what: str, option: str, section: str) -> list[T_]:
    """The datasets named (all when ``names`` is empty), in the order named, each once; a dataset is
    named by any of its ``aliases`` (its name, its table or feed). Raises ValueError naming the unknown
    names, the option they came from and the known ones."""
    if not names:
        return list(all_datasets)
    by_alias = {alias: d for d in all_datasets for alias in aliases(d)}
    unknown = [n for n in names if n not in by_alias]
    if unknown:
        known = ", ".join(next(iter(aliases(d))) for d in all_datasets)
        raise ValueError(f"Unknown {what}(s) {', '.join(unknown)} in {option}; known: {known} "
                         f"(contracts/datasets.json {section}).")
    chosen: list[T_] = []
    for n in names:
        if by_alias[n] not in chosen:
            chosen.append(by_alias[n])
    return chosen


def select_datasets(all_datasets: list[Dataset], names: list[str] | None) -> list[Dataset]:
    """The datasets named (all when ``names`` is empty).

    A raw file holds the events of every dataset of its stream, and the job records a raw file as
    processed once it has read it; so a selection must cover whole streams, or the events of the
    datasets left out would never be curated. Raises ValueError naming what to add.
    """
    if not names:
        return list(all_datasets)
    by_name = {d.name: d for d in all_datasets}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(
            f"Unknown dataset(s) {', '.join(unknown)} in --datasets; known: {', '.join(by_name)} "
            "(contracts/datasets.json)."
        )
    chosen = [by_name[n] for n in names]
    streams = {d.stream for d in chosen}
    missing = [d.name for d in all_datasets if d.stream in streams and d.name not in names]
    if missing:
        raise ValueError(
            f"--datasets must cover whole streams (a raw file holds every dataset of its stream); "
            f"add {', '.join(missing)} or leave --datasets out."
        )
    return chosen


def lineage_fields(path: Path | None = None) -> list[T.StructField]:
    """The lineage columns every curated row carries (``_source_file``, ``_curated_at``)."""
    return [T.StructField(c["name"], _SPARK_TYPES[c["type"]]) for c in load_catalog(path)["lineage_columns"]]


def partition_key(path: Path | None = None) -> str:
    """The partition column of the curated datasets (``event_date``)."""
    keys = load_catalog(path)["partition_keys"]
    if len(keys) != 1:
        raise ValueError(f"{path}: the jobs expect exactly one partition key, found {keys}")
    return keys[0]["name"]


def quarantine_struct(path: Path | None = None) -> T.StructType:
    """The columns of a quarantine row, in the order of ``contracts/datasets.json``."""
    return T.StructType(
        [T.StructField(c["name"], _SPARK_TYPES[c["type"]]) for c in load_catalog(path)["quarantine_columns"]]
    )
