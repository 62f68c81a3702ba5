"""The derived datasets of ``contracts/datasets.json`` (``derived_datasets``): flat, warehouse-ready
tables the curation job derives from the rows it publishes to another curated dataset (order lines
and order status changes from ``order_events``).

The declaration is the single source of the derived tables' shape: the Glue catalog
(``lib/lake/lake-datasets.ts``) builds the tables from it, and the job selects and casts its output by
it (:func:`declared_shape`), so that the Parquet column order and types equal the declaration (the
warehouse's COPY maps Parquet columns by position). Its ``required``, ``non_negative`` and
``unique_key`` are the quality gate the job checks (:func:`gate_rules`) and the DQDL ruleset
(``lib/lake/quality-rules.ts``) states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from common.contract_rules import Rule
from common.datasets import load_catalog

_SIMPLE_TYPES = {
    "string": T.StringType(),
    "bigint": T.LongType(),
    "int": T.IntegerType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "timestamp": T.TimestampType(),
    "date": T.DateType(),
}
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


def hive_to_spark(hive_type: str) -> T.DataType:
    """The Spark type of a flat Glue/Hive column type (``bigint``, ``decimal(18,4)``, ...)."""
    if hive_type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[hive_type]
    m = _DECIMAL.match(hive_type.replace(" ", ""))
    if m:
        return T.DecimalType(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"derived column type '{hive_type}' is not a flat Glue type this job can write "
                     f"(known: {', '.join(_SIMPLE_TYPES)}, decimal(p,s))")


@dataclass(frozen=True)
class DerivedColumn:
    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class DerivedDataset:
    """One derived dataset: its name, the curated dataset it is derived from (``source``, ``from`` in
    the file), the columns it is unique by, the columns that must be complete and non-negative, and its
    declared columns (the partition key excluded: it is the source row's)."""

    name: str
    source: str
    unique_key: tuple[str, ...]
    required: tuple[str, ...]
    non_negative: tuple[str, ...]
    columns: tuple[DerivedColumn, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def spark_schema(self) -> T.StructType:
        """The declared columns as a StructType (the partition key excluded)."""
        return T.StructType([T.StructField(c.name, hive_to_spark(c.type)) for c in self.columns])


def load_derived_datasets(path: Path | None = None) -> list[DerivedDataset]:
    """Every entry of ``derived_datasets`` in ``contracts/datasets.json``, in file order (none when the
    section is absent). Raises ValueError naming the dataset when a declaration is inconsistent."""
    catalog = load_catalog(path)
    partition_keys = {k["name"] for k in catalog["partition_keys"]}
    sources = {d["name"] for d in catalog["event_datasets"]}
    out = []
    for d in catalog.get("derived_datasets", []):
        columns = tuple(DerivedColumn(c["name"], c["type"], c.get("comment", "")) for c in d["columns"])
        ds = DerivedDataset(d["name"], d["from"], tuple(d["unique_key"]), tuple(d.get("required", [])),
                            tuple(d.get("non_negative", [])), columns)
        where = f"contracts/datasets.json derived dataset '{ds.name}'"
        names = ds.column_names
        if ds.source not in sources:
            raise ValueError(f"{where}: from '{ds.source}' is not an event dataset")
        if len(set(names)) != len(names):
            raise ValueError(f"{where}: a column is declared twice")
        if partition_keys & set(names):
            raise ValueError(f"{where}: the partition key is not a declared column")
        for what, cols in (("unique_key", ds.unique_key), ("required", ds.required), ("non_negative", ds.non_negative)):
            unknown = [c for c in cols if c not in names]
            if unknown:
                raise ValueError(f"{where}: {what} names undeclared columns {', '.join(unknown)}")
        if not ds.unique_key:
            raise ValueError(f"{where}: unique_key is empty")
        ds.spark_schema()  # every type is known
        out.append(ds)
    return out


def derived_from(source: str, derived: list[DerivedDataset]) -> list[DerivedDataset]:
    """The derived datasets of a curated dataset, in declaration order."""
    return [d for d in derived if d.source == source]


def declared_shape(rows: DataFrame, dataset: DerivedDataset, partition_key: str = "event_date") -> DataFrame:
    """``rows`` reduced to the declared columns, in the declared order and cast to the declared types,
    then the partition key: what is written to ``curated/<derived dataset>/``."""
    return rows.select(
        *[F.col(c.name).cast(hive_to_spark(c.type)).alias(c.name) for c in dataset.columns], F.col(partition_key)
    )


def gate_rules(dataset: DerivedDataset) -> list[Rule]:
    """The row rules of a derived dataset's gate (the key's uniqueness is counted separately): required
    columns complete, non_negative columns >= 0 when not null. Names are ``<dataset>.required:<col>`` and
    ``<dataset>.non_negative:<col>``."""
    rules = [Rule(f"{dataset.name}.required:{c}", f"{dataset.name}.{c} is null", lambda c=c: F.col(c).isNull())
             for c in dataset.required]
    rules += [Rule(f"{dataset.name}.non_negative:{c}", f"{dataset.name}.{c} is negative",
                   lambda c=c: F.col(c).isNotNull() & (F.col(c) < 0))
              for c in dataset.non_negative]
    return rules


def unique_rule_name(dataset: DerivedDataset) -> str:
    """The gate rule name of the key's uniqueness, ``<dataset>.unique:<col>,<col>``."""
    return f"{dataset.name}.unique:{','.join(dataset.unique_key)}"
