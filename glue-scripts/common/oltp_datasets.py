"""The OLTP datasets of the lake, read from the ``oltp_datasets`` array of ``contracts/datasets.json``:
per dataset, the source table in the shop's PostgreSQL, its contract, the entity key, the tracked
(slowly changing) columns that make a new version, the curated partition key and how a big read is
split over parallel JDBC connections. Used by ``jobs/oltp_to_curated.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.contract_files import read_contract_json
from common.contract_schema import contract_struct
from common.datasets import select_named


@dataclass(frozen=True)
class OltpDataset:
    """One OLTP dataset. ``split_column``: a numeric column for Spark's range partitioning
    (``partitionColumn``); ``split_hash_key``: a text column split by hash predicates; neither: one
    connection (small tables)."""

    name: str
    contract: str
    source_table: str
    key_columns: tuple[str, ...]
    tracked_columns: tuple[str, ...]
    partition_key: str
    split_column: str | None = None
    split_hash_key: str | None = None


def _catalog(path: Path | None) -> dict[str, Any]:
    if path is None:
        return read_contract_json("datasets.json")
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def _check(d: dict[str, Any], where: str) -> OltpDataset:
    for field in ("name", "contract", "source_table", "key_columns", "tracked_columns", "partition_keys"):
        if field not in d:
            raise ValueError(f"{where}: '{field}' is missing (contracts/datasets.json oltp_datasets)")
    columns = [f.name for f in contract_struct(d["contract"]).fields]
    unknown = [c for c in list(d["key_columns"]) + list(d["tracked_columns"]) if c not in columns]
    if "updated_at" not in columns:
        unknown.append("updated_at (every OLTP contract needs it: it is the extraction watermark)")
    split = d.get("jdbc_split") or {}
    for c in (split.get("column"), split.get("hash_key")):
        if c and c not in columns:
            unknown.append(c)
    if unknown:
        raise ValueError(
            f"{where}: column(s) {', '.join(unknown)} are not fields of contract '{d['contract']}' "
            f"(fields: {', '.join(columns)}); fix contracts/datasets.json oltp_datasets."
        )
    if len(d["partition_keys"]) != 1:
        raise ValueError(f"{where}: the job expects exactly one partition key, found {d['partition_keys']}")
    return OltpDataset(
        name=d["name"],
        contract=d["contract"],
        source_table=d["source_table"],
        key_columns=tuple(d["key_columns"]),
        tracked_columns=tuple(d["tracked_columns"]),
        partition_key=d["partition_keys"][0]["name"],
        split_column=split.get("column"),
        split_hash_key=split.get("hash_key"),
    )


def load_oltp_datasets(path: Path | None = None) -> list[OltpDataset]:
    """Every OLTP dataset of ``contracts/datasets.json``, in file order, checked against its contract."""
    entries = _catalog(path).get("oltp_datasets") or []
    return [_check(d, f"oltp_datasets[{i}] ({d.get('name', '?')})") for i, d in enumerate(entries)]


def select_oltp_datasets(all_datasets: list[OltpDataset], names: list[str] | None) -> list[OltpDataset]:
    """The datasets named (all when ``names`` is empty); a name may be the dataset or its source table."""
    return select_named(all_datasets, names, lambda d: (d.name, d.source_table), "table", "--tables", "oltp_datasets")
