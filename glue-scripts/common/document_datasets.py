"""The curated document datasets: one per DynamoDB document table, read from the ``document_datasets``
array of ``contracts/datasets.json`` (the event datasets are in ``common/datasets.py``).

Each entry names the dataset, the contract of its rows, the DynamoDB table it is exported from (the
logical id of ``lib/tables/table-definitions.ts``), the table's internal attributes (keys that are not
contract fields, TTL, bookkeeping and event-id sets: dropped by the job, explicitly), its partition
keys, and how nested fields are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.datasets import load_catalog, select_named


@dataclass(frozen=True)
class DocumentDataset:
    """One curated document dataset."""

    name: str
    contract: str
    table_id: str
    internal_attributes: tuple[str, ...]
    partition_keys: tuple[str, ...]
    nested_fields: str


def load_document_datasets(path: Path | None = None) -> list[DocumentDataset]:
    """Every document dataset of ``contracts/datasets.json``, in file order."""
    entries = load_catalog(path).get("document_datasets") or []
    out = []
    for d in entries:
        try:
            out.append(DocumentDataset(
                d["name"], d["contract"], d["table_id"], tuple(d["internal_attributes"]),
                tuple(k["name"] for k in d["partition_keys"]), d["nested_fields"],
            ))
        except KeyError as err:
            raise ValueError(
                f"contracts/datasets.json: document_datasets entry {d.get('name', d)!r} has no {err}; each entry "
                "needs name, contract, table_id, internal_attributes, partition_keys and nested_fields."
            ) from err
    return out


def select_tables(all_datasets: list[DocumentDataset], table_ids: list[str] | None) -> list[DocumentDataset]:
    """The datasets of the tables named (all when ``table_ids`` is empty); a dataset name is accepted too."""
    return select_named(all_datasets, table_ids, lambda d: (d.table_id, d.name), "table", "--tables", "document_datasets")
