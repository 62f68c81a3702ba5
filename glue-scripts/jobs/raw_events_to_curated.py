"""Glue job: raw events -> curated Parquet.

Reads the new raw files of the lake's raw zone (``events/stream=<s>/event_date=<d>/<file>``, GZIP
JSON Lines from Firehose on AWS, plain ``.jsonl`` in the twin), routes each line to its dataset by
``event_type`` (``contracts/datasets.json``), parses it with the contract's Spark schema, quarantines
what fails with a reason, conforms types (UTC timestamps, exact DECIMAL(18,4) money), deduplicates by
``event_id`` (within the run and against the curated partitions it touches), applies the data
quality gates per partition, and appends the new rows to ``curated/<dataset>/event_date=<d>/``.
From the order events it publishes it also appends the flat derived datasets of
``contracts/datasets.json`` (``derived_datasets``: ``order_lines`` and ``order_status_changes``), shaped
exactly as declared, for the warehouse's positional COPY.

Every transform below is a pure DataFrame -> DataFrame function; ``main()`` reads arguments and does
the I/O. See docs/glue-jobs.md.

Run locally:  .venv/bin/python glue-scripts/jobs/raw_events_to_curated.py --raw-root R --curated-root C
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: make glue-scripts/ importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.utils import AnalysisException

from common import raw_files
from common.contract_rules import CORRUPT, ContractRules, Rule
from common.datasets import Dataset, load_datasets, partition_key, quarantine_struct, select_datasets
from common import derived_datasets as derived_decl
from common.derived_datasets import DerivedDataset, declared_shape, derived_from, load_derived_datasets
from common.spark import session as spark_session
from common.job_run import finish_run, job_parser, parse_job_args

JOB_NAME = "raw_events_to_curated"
SUPPORTED_SCHEMA_VERSIONS = ("1",)
UNROUTED = "_unrouted"  # quarantine "dataset" of lines that cannot be routed to a dataset

MALFORMED_JSON = "MALFORMED_JSON"
UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE"
UNSUPPORTED_SCHEMA_VERSION = "UNSUPPORTED_SCHEMA_VERSION"
CONTRACT_VIOLATION = "CONTRACT_VIOLATION"
QUALITY_GATE = "QUALITY_GATE"
UNREADABLE_FILE = "UNREADABLE_FILE"

PUBLISHED, QUARANTINED, DEDUPLICATED = "published", "quarantined", "deduplicated"

ENVELOPE = T.StructType(
    [
        T.StructField("event_type", T.StringType()),
        T.StructField("schema_version", T.StringType()),
        T.StructField(CORRUPT, T.StringType()),
    ]
)
PERMISSIVE = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT}



# --------------------------------------------------------------------------------------------------
# Pure transforms
# --------------------------------------------------------------------------------------------------


def source_key(file_uri: Column) -> Column:
    """The raw object key (``events/stream=<s>/...``) of a file URI as Spark reports it, so that
    ``_source_file`` is the same in the twin and on S3."""
    return F.regexp_extract(file_uri, r"(events/stream=.*)$", 1)


def non_blank(lines: DataFrame) -> DataFrame:
    """Drop blank lines (a trailing newline is not a record). Input: ``raw_line``, ``_source_file``."""
    return lines.where(F.trim(F.col("raw_line")) != "")


def union_parse_struct(datasets: list[Dataset]) -> tuple[T.StructType, frozenset[str]]:
    """One parse schema for the lines of every dataset of the run: the fields of each contract
    (``ContractRules.parse_struct``) not yet in it, the envelope's fields that no contract has (as
    text), and the corrupt-record column; plus the names of the datasets it covers. A dataset whose
    contract types a field differently from a dataset before it, or does not type ``event_type`` as
    text or ``schema_version`` as text or an integer, is not covered: its lines are parsed again with
    its own schema (:func:`parse_contract`).

    Performance only: routing and the contract then need one JSON parse of a line instead of two."""
    envelope_types = {"event_type": (T.StringType(),), "schema_version": (T.StringType(), T.LongType())}
    fields: dict[str, T.DataType] = {}
    covered = []
    for ds in datasets:
        own = [f for f in ContractRules(ds.contract).parse_struct().fields if f.name != CORRUPT]
        fits = all(fields.get(f.name, f.dataType) == f.dataType for f in own) and all(
            f.dataType in envelope_types[f.name] for f in own if f.name in envelope_types)
        if fits:
            fields.update({f.name: f.dataType for f in own})
            covered.append(ds.name)
    for f in ENVELOPE.fields:
        if f.name != CORRUPT and f.name not in fields:
            fields[f.name] = T.StringType()
    struct = T.StructType([T.StructField(n, t, True) for n, t in fields.items()]
                          + [T.StructField(CORRUPT, T.StringType(), True)])
    return struct, frozenset(covered)


def classify(lines: DataFrame, datasets: list[Dataset]) -> DataFrame:
    """Route each raw line to its dataset by ``event_type`` and check the envelope.

    Adds ``_dataset`` (``_unrouted`` when the line cannot be routed), ``_reason_code`` and ``_reason``
    (null when the line may go on to the contract parse): MALFORMED_JSON for a line that is not a
    JSON object, UNKNOWN_EVENT_TYPE for an event type no dataset of the run takes,
    UNSUPPORTED_SCHEMA_VERSION for a schema_version other than those supported; and ``_p``, the line
    parsed with :func:`union_parse_struct`, which :func:`parse_contract` reuses.

    A line is parsed once, with the union of the contracts. Only a line that this parse cannot take
    whole (not JSON, or a value of the wrong type for some contract) is parsed again, with the
    envelope alone, so that its routing is exactly what an envelope-only parse gives.
    """
    routes = F.create_map(*[F.lit(x) for d in datasets for et in d.event_types for x in (et, d.name)])
    union, _ = union_parse_struct(datasets)
    parsed = lines.select("raw_line", "_source_file", F.from_json(F.col("raw_line"), union, PERMISSIVE).alias("_p"))
    whole = F.col("_p").isNotNull() & F.col("_p").getField(CORRUPT).isNull()
    env = F.when(
        whole,
        # a JSON integer's text is its value's: what the envelope's text parse of it gives
        F.struct(F.col("_p.event_type").cast("string").alias("event_type"),
                 F.col("_p.schema_version").cast("string").alias("schema_version"),
                 F.lit(None).cast("string").alias(CORRUPT)),
    ).otherwise(F.from_json(F.col("raw_line"), ENVELOPE, PERMISSIVE))
    enveloped = parsed.select("raw_line", "_source_file", "_p", env.alias("_env"))
    env = F.col("_env")
    et, sv = env.getField("event_type"), env.getField("schema_version")
    malformed = env.isNull() | env.getField(CORRUPT).isNotNull()
    unknown = et.isNull() | routes[et].isNull()
    bad_version = sv.isNotNull() & ~sv.isin(*SUPPORTED_SCHEMA_VERSIONS)
    return enveloped.select(
        "raw_line",
        "_source_file",
        F.when(malformed | unknown, F.lit(UNROUTED)).otherwise(routes[et]).alias("_dataset"),
        F.when(malformed, F.lit(MALFORMED_JSON))
        .when(unknown, F.lit(UNKNOWN_EVENT_TYPE))
        .when(bad_version, F.lit(UNSUPPORTED_SCHEMA_VERSION))
        .alias("_reason_code"),
        F.when(malformed, F.lit("line is not a JSON object"))
        .when(et.isNull(), F.lit("event_type is missing"))
        .when(unknown, F.concat(F.lit("event_type '"), et, F.lit("' is not routed to any dataset (contracts/datasets.json)")))
        .when(
            bad_version,
            F.concat(
                F.lit("schema_version "), sv,
                F.lit(f" is not supported (supported: {', '.join(SUPPORTED_SCHEMA_VERSIONS)})"),
            ),
        )
        .alias("_reason"),
        "_p",
    )


def parse_contract(classified: DataFrame, dataset: Dataset, rules: ContractRules) -> DataFrame:
    """The lines routed to ``dataset`` and not refused by the envelope, parsed with the contract.

    Output: the contract's columns (top-level date-times still text), ``raw_line``, ``_source_file``
    and ``_violations``: every broken contract rule joined by '; ' (empty string when the row is valid).
    Internal columns start with '_' so that they never meet a contract field (order-event has ``reason``).

    The contract's fields are taken from ``classified``'s union parse (``_p``) when it covers them with
    the same types; a line that parse could not take whole is parsed again with the contract alone,
    so every row is exactly what the contract's own parse gives (a field of another contract with a
    value of the wrong type does not make this contract's row corrupt).
    """
    rows = classified.where((F.col("_dataset") == dataset.name) & F.col("_reason_code").isNull())
    struct = rules.parse_struct()
    own = F.from_json(F.col("raw_line"), struct, PERMISSIVE)
    union = classified.schema["_p"].dataType if "_p" in classified.columns else T.StructType([])
    have = {f.name: f.dataType for f in union.fields}
    if all(have.get(f.name) == f.dataType for f in struct.fields):
        whole = F.col("_p").isNotNull() & F.col("_p").getField(CORRUPT).isNull()
        fields = [F.col("_p").getField(f.name).alias(f.name) for f in struct.fields if f.name != CORRUPT]
        p = F.when(whole, F.struct(*fields, F.lit(None).cast("string").alias(CORRUPT))).otherwise(own)
    else:
        p = own
    parsed = rows.select("raw_line", "_source_file", p.alias("p")).select("raw_line", "_source_file", "p.*")
    return parsed.withColumn("_violations", rules.violation_reason(F.col("raw_line"))).drop(CORRUPT)


def conform(valid: DataFrame, rules: ContractRules) -> DataFrame:
    """Typed rows: top-level date-times to UTC timestamps, ``event_date`` (YYYY-MM-DD of event_time
    in UTC, whatever the session time zone). Money is already DECIMAL(18,4) from the contract schema."""
    out = valid
    for name in rules.timestamp_fields:
        out = out.withColumn(name, F.to_timestamp(F.col(name)))
    utc = F.to_utc_timestamp(F.col("event_time"), F.expr("current_timezone()"))
    return out.withColumn("event_date", F.date_format(utc, "yyyy-MM-dd"))


def mark_duplicates_within_run(rows: DataFrame, duplicate_ids: DataFrame | None = None) -> DataFrame:
    """Adds ``_dup_in_run``: true for every copy of an event_id after the first (first by
    ``_source_file`` then ``raw_line``, so the choice is deterministic).

    ``duplicate_ids`` (optional, an ``event_id`` column) are the event_ids that occur more than once in
    ``rows``, computed by the caller and small enough to broadcast (:func:`duplicate_event_ids`). With
    them only the rows of those ids are ordered by the window; the others, nearly all, are first copies
    and are not shuffled at all. Without them every row goes through the window. Same rows either way.
    """
    w = Window.partitionBy("event_id").orderBy("_source_file", "raw_line")
    if duplicate_ids is None:
        return rows.withColumn("_dup_in_run", F.row_number().over(w) > 1)
    ids = F.broadcast(duplicate_ids.select(F.col("event_id").alias("_did")))
    flagged = rows.join(ids, rows["event_id"] == ids["_did"], "left")
    single = flagged.where(F.col("_did").isNull()).drop("_did").withColumn("_dup_in_run", F.lit(False))
    repeated = flagged.where(F.col("_did").isNotNull()).drop("_did")
    return single.unionByName(repeated.withColumn("_dup_in_run", F.row_number().over(w) > 1))


def duplicate_event_ids(event_ids: DataFrame) -> DataFrame:
    """The event_ids that occur more than once in ``event_ids`` (an ``event_id`` column): a shuffle of
    the ids alone, not of the rows."""
    return event_ids.groupBy("event_id").count().where(F.col("count") > 1).select("event_id")


def mark_already_curated(rows: DataFrame, curated_ids: DataFrame, small: bool = False) -> DataFrame:
    """Adds ``_dup_curated``: true when the event_id is already in the curated partitions read
    (``curated_ids`` has an ``event_id`` column). ``small``: the ids are few enough to broadcast (the
    caller narrowed them to those of ``rows``, :func:`already_curated_ids`), so ``rows`` is not shuffled."""
    ids = curated_ids.select(F.col("event_id").alias("_cid")).distinct()
    ids = F.broadcast(ids) if small else ids
    return rows.join(ids, rows["event_id"] == ids["_cid"], "left").withColumn(
        "_dup_curated", F.col("_cid").isNotNull()
    ).drop("_cid")


def already_curated_ids(event_ids: DataFrame, curated_ids: DataFrame) -> DataFrame:
    """The event_ids of ``event_ids`` that ``curated_ids`` holds (both an ``event_id`` column): a
    shuffle of the ids alone, not of the rows."""
    return event_ids.join(curated_ids.select("event_id").distinct(), "event_id", "left_semi").distinct()


def gate_rules(rules: ContractRules) -> list[Rule]:
    """The data quality gate of a curated dataset: key completeness (every required field) and valid
    ranges (from the contract); event_id uniqueness is checked by ``gate_failures``."""
    return rules.required_rules() + rules.range_rules()


def gate_failures(rows: DataFrame, rules: ContractRules) -> DataFrame:
    """Per partition, the gate rules that fail: columns ``event_date``, ``rule``, ``failed_rows``
    (only rules with failed_rows > 0). ``unique:event_id`` counts the extra copies of event_ids."""
    checks = gate_rules(rules)
    aggs = [F.sum(F.when(r.violated(), 1).otherwise(0)).alias(f"_r{i}") for i, r in enumerate(checks)]
    aggs.append((F.count("event_id") - F.countDistinct("event_id")).alias(f"_r{len(checks)}"))
    names = [r.name for r in checks] + ["unique:event_id"]
    per_partition = rows.groupBy("event_date").agg(*aggs)
    long = per_partition.select(
        "event_date",
        F.explode(
            F.array(*[F.struct(F.lit(n).alias("rule"), F.col(f"_r{i}").cast("long").alias("failed_rows"))
                      for i, n in enumerate(names)])
        ).alias("g"),
    ).select("event_date", "g.rule", "g.failed_rows")
    return long.where(F.col("failed_rows") > 0)


def apply_gates(rows: DataFrame, failures: DataFrame) -> DataFrame:
    """Adds ``_gate_reason``: for rows of a partition that failed its gate, why (every failed rule with
    its failing row count); null for rows of partitions that pass."""
    why = failures.groupBy("event_date").agg(
        F.concat(
            F.lit("partition event_date="), F.first("event_date"), F.lit(" failed its quality gate: "),
            F.concat_ws(", ", F.sort_array(F.collect_list(
                F.concat(F.col("rule"), F.lit(" ("), F.col("failed_rows").cast("string"), F.lit(" rows)"))
            ))),
        ).alias("_gate_reason")
    )
    return rows.join(F.broadcast(why), "event_date", "left")  # a row per partition: no shuffle of the rows


def quarantine_rows(rows: DataFrame, dataset: str | Column, reason_code: str | Column, reason: Column, run_id: str) -> DataFrame:
    """Rows in the quarantine shape of contracts/datasets.json (dataset, reason_code, reason,
    raw_line, _source_file, run_id)."""
    as_col = lambda v: v if isinstance(v, Column) else F.lit(v)  # noqa: E731
    cols = {
        "dataset": as_col(dataset),
        "reason_code": as_col(reason_code),
        "reason": reason,
        "raw_line": F.col("raw_line"),
        "_source_file": F.col("_source_file"),
        "run_id": F.lit(run_id),
    }
    return rows.select(*[cols[f.name].cast(f.dataType).alias(f.name) for f in quarantine_struct().fields])


def curated_columns(rows: DataFrame, rules: ContractRules, curated_at: datetime) -> DataFrame:
    """The published shape: the contract's columns, the lineage columns, then ``event_date``."""
    return rows.select(
        *rules.columns, "_source_file", F.lit(curated_at).cast("timestamp").alias("_curated_at"), "event_date"
    )


# --------------------------------------------------------------------------------------------------
# Derived datasets (contracts/datasets.json derived_datasets): flat rows of the published order events
# --------------------------------------------------------------------------------------------------

ORDER_CREATED, ORDER_RETURNED = "order.created", "order.returned"
_ORDER_CONTEXT = ("event_id", "event_type", "event_time", "order_id", "customer_id", "channel", "currency", "campaign_id")
_LINEAGE = ("_source_file", "_curated_at", "event_date")


def _with_curated_at(rows: DataFrame) -> DataFrame:
    """``rows`` with a ``_curated_at`` column (null when absent: the gate runs before publication)."""
    return rows if "_curated_at" in rows.columns else rows.withColumn("_curated_at", F.lit(None).cast("timestamp"))


def order_lines(published_order_events: DataFrame) -> DataFrame:
    """One row per line of an ``order.created`` event and one per returned line of an ``order.returned``
    event (other events and events without lines give none). A returned line names only its
    ``line_number`` and ``quantity``: its sku, product_id, unit_price and discount are null; a line's
    discount that the event leaves out stays null. Input: published order_events rows (the contract's
    columns, the lineage columns, ``event_date``); output: the order_lines columns, not yet cast (see
    :func:`derive`)."""
    events = _with_curated_at(published_order_events)
    context = [F.col(c) for c in _ORDER_CONTEXT + _LINEAGE]
    sold = (
        events.where(F.col("event_type") == ORDER_CREATED)
        .select(*context, F.explode("lines").alias("_l"))
        .select(
            *_ORDER_CONTEXT, *_LINEAGE,
            F.col("_l.line_number").alias("line_number"), F.col("_l.sku").alias("sku"),
            F.col("_l.product_id").alias("product_id"), F.col("_l.quantity").alias("quantity"),
            F.col("_l.unit_price").alias("unit_price"), F.col("_l.discount").alias("discount"),
        )
    )
    returned = (
        events.where(F.col("event_type") == ORDER_RETURNED)
        .select(*context, F.explode("returned_lines").alias("_l"))
        .select(
            *_ORDER_CONTEXT, *_LINEAGE,
            F.col("_l.line_number").alias("line_number"), F.lit(None).cast("string").alias("sku"),
            F.lit(None).cast("long").alias("product_id"), F.col("_l.quantity").alias("quantity"),
            F.lit(None).cast("decimal(18,4)").alias("unit_price"), F.lit(None).cast("decimal(18,4)").alias("discount"),
        )
    )
    return sold.unionByName(returned)


def _non_empty_size(array: Column) -> Column:
    """The number of elements of an array column; null when the array is null or empty."""
    return F.when(F.size(array) > 0, F.size(array).cast("long"))


def order_status_changes(published_order_events: DataFrame) -> DataFrame:
    """One flat row per published order event of any type: the event's context, ``shipping_amount``,
    ``line_count`` (null when there are no lines), the payment's method and amount, the shipment's
    warehouse and carrier, ``reason`` and ``returned_units`` (sum of the returned quantities; null when
    nothing is returned). Output: the order_status_changes columns, not yet cast (see :func:`derive`)."""
    events = _with_curated_at(published_order_events)
    returned = F.col("returned_lines")
    return events.select(
        *_ORDER_CONTEXT,
        "shipping_amount",
        _non_empty_size(F.col("lines")).alias("line_count"),
        F.col("payment.method").alias("payment_method"),
        F.col("payment.amount").alias("payment_amount"),
        F.col("shipment.warehouse_id").alias("warehouse_id"),
        F.col("shipment.carrier").alias("carrier"),
        "reason",
        F.when(F.size(returned) > 0,
               F.aggregate(returned, F.lit(0).cast("long"), lambda acc, x: acc + F.coalesce(x["quantity"], F.lit(0).cast("long"))))
        .alias("returned_units"),
        *_LINEAGE,
    )


# How each declared derived dataset is computed, and how many rows it must have (an aggregate over the
# published rows of its source): the reconciliation of the run report.
DERIVATIONS: dict[str, Callable[[DataFrame], DataFrame]] = {
    "order_lines": order_lines,
    "order_status_changes": order_status_changes,
}
EXPECTED_ROWS: dict[str, Callable[[], Column]] = {
    "order_lines": lambda: F.sum(
        F.coalesce(F.when(F.col("event_type") == ORDER_CREATED, _non_empty_size(F.col("lines"))), F.lit(0))
        + F.coalesce(F.when(F.col("event_type") == ORDER_RETURNED, _non_empty_size(F.col("returned_lines"))), F.lit(0))
    ),
    "order_status_changes": lambda: F.count(F.lit(1)),
}


def derive(published: DataFrame, dataset: DerivedDataset) -> DataFrame:
    """The rows of ``dataset`` derived from the published rows of its source, in the declared shape
    (declared columns in order, cast to the declared types, then ``event_date``)."""
    if dataset.name not in DERIVATIONS:
        raise ValueError(f"derived dataset '{dataset.name}' (contracts/datasets.json) has no derivation in "
                         f"{JOB_NAME}.DERIVATIONS; known: {', '.join(DERIVATIONS)}")
    return declared_shape(DERIVATIONS[dataset.name](published), dataset, partition_key())


def derived_gate_failures(rows: DataFrame, derived: list[DerivedDataset]) -> DataFrame | None:
    """Per partition of the source rows, the rules of the derived datasets' gates that their derived
    rows fail (``derived_datasets.gate_rules`` and the declared key's uniqueness), in the shape of
    :func:`gate_failures`; None when there is no derived dataset. A failure quarantines the source
    partition like any gate failure of the source: derived rows are never published without their source."""
    out: DataFrame | None = None
    for d in derived:
        rows_d = derive(rows, d)
        checks = derived_decl.gate_rules(d)
        aggs = [F.sum(F.when(r.violated(), 1).otherwise(0)).alias(f"_r{i}") for i, r in enumerate(checks)]
        key = F.struct(*[F.col(c) for c in d.unique_key])
        aggs.append((F.count(F.lit(1)) - F.countDistinct(key)).alias(f"_r{len(checks)}"))
        names = [r.name for r in checks] + [derived_decl.unique_rule_name(d)]
        long = rows_d.groupBy("event_date").agg(*aggs).select(
            "event_date",
            F.explode(F.array(*[F.struct(F.lit(n).alias("rule"), F.col(f"_r{i}").cast("long").alias("failed_rows"))
                                for i, n in enumerate(names)])).alias("g"),
        ).select("event_date", "g.rule", "g.failed_rows").where(F.col("failed_rows") > 0)
        out = long if out is None else out.unionByName(long)
    return out


def dataset_gate_failures(rows: DataFrame, rules: ContractRules, derived: list[DerivedDataset]) -> DataFrame:
    """The gate failures of a dataset's candidate rows: its own rules (:func:`gate_failures`) and the
    gates of the datasets derived from it (:func:`derived_gate_failures`)."""
    own = gate_failures(rows, rules)
    of_derived = derived_gate_failures(rows, derived)
    return own if of_derived is None else own.unionByName(of_derived)


@dataclass
class Curation:
    """The outcome of curating one dataset's lines: ``outcomes`` has one row per line read, with
    ``_outcome`` (published, quarantined, deduplicated), ``_reason_code`` and ``_reason``, the curated
    columns and ``raw_line``; ``gate_failures`` lists the partitions whose gate failed."""

    outcomes: DataFrame
    gate_failures: DataFrame


def envelope_refused(classified: DataFrame, dataset: Dataset) -> DataFrame:
    """The lines routed to ``dataset`` that the envelope check refused (e.g. an unknown schema_version)."""
    return classified.where((F.col("_dataset") == dataset.name) & F.col("_reason_code").isNotNull()).select(
        "raw_line", "_source_file", "_reason_code", "_reason"
    )


def curate_dataset(
    classified: DataFrame,
    dataset: Dataset,
    rules: ContractRules,
    curated_ids: DataFrame,
    parsed: DataFrame,
    materialize: Callable[[DataFrame], DataFrame] = lambda df: df,
    derived: list[DerivedDataset] | None = None,
    duplicate_ids: DataFrame | None = None,
    curated_ids_small: bool = False,
    materialize_failures: Callable[[DataFrame], DataFrame] = lambda df: df,
) -> Curation:
    """Every line routed to ``dataset``, with what becomes of it. Pure: no reads or writes.

    ``parsed`` is ``parse_contract(classified, dataset, rules)`` materialized by the caller (e.g.
    ``.localCheckpoint()``): the contract-rule expression is wide, and without a materialized input
    Spark's optimizer re-inlines it into every branch below (the plan then grows until the driver
    runs out of memory). ``materialize`` is applied to the valid rows marked as duplicates or not
    (``run`` persists them on disk): three branches below read them, and each would otherwise repeat
    the dedupe window's shuffle of every valid row (performance only; the rows are the same).
    ``derived`` are the datasets derived from ``dataset``: their gates are part of its gate.
    ``duplicate_ids`` and ``curated_ids_small``: see :func:`mark_duplicates_within_run` and
    :func:`mark_already_curated` (performance only). ``materialize_failures`` is applied to the gate
    failures (``run`` checkpoints them: a few rows, computed once, then read by the gate and the report).
    """
    violations = parsed.where(F.col("_violations") != "").select(
        "raw_line", "_source_file", F.lit(CONTRACT_VIOLATION).alias("_reason_code"), F.col("_violations").alias("_reason")
    )
    valid = conform(parsed.where(F.col("_violations") == "").drop("_violations"), rules)
    marked = materialize(mark_already_curated(mark_duplicates_within_run(valid, duplicate_ids), curated_ids,
                                              small=curated_ids_small))
    candidates = marked.where(~F.col("_dup_in_run") & ~F.col("_dup_curated"))
    failures = materialize_failures(dataset_gate_failures(candidates, rules, derived or []))
    gated = apply_gates(candidates, failures)

    dedup = marked.where(F.col("_dup_in_run") | F.col("_dup_curated")).select(
        "*",
        F.lit(DEDUPLICATED).alias("_outcome"),
        F.lit(None).cast("string").alias("_reason_code"),
        F.when(F.col("_dup_in_run"), F.lit("duplicate event_id within the run"))
        .otherwise(F.lit("event_id already curated"))
        .alias("_reason"),
    ).drop("_dup_in_run", "_dup_curated")
    gated_out = gated.select(
        "*",
        F.when(F.col("_gate_reason").isNull(), F.lit(PUBLISHED)).otherwise(F.lit(QUARANTINED)).alias("_outcome"),
        F.when(F.col("_gate_reason").isNotNull(), F.lit(QUALITY_GATE)).alias("_reason_code"),
        F.col("_gate_reason").alias("_reason"),
    ).drop("_dup_in_run", "_dup_curated", "_gate_reason")
    refused = envelope_refused(classified, dataset).unionByName(violations).withColumn("_outcome", F.lit(QUARANTINED))
    outcomes = gated_out.unionByName(dedup).unionByName(refused, allowMissingColumns=True)
    return Curation(outcomes, failures)


def published_rows(outcomes: DataFrame, rules: ContractRules, curated_at: datetime) -> DataFrame:
    """The rows to append to ``curated/<dataset>/``."""
    return curated_columns(outcomes.where(F.col("_outcome") == PUBLISHED), rules, curated_at)


def quarantined_rows(outcomes: DataFrame, dataset: str, run_id: str) -> DataFrame:
    """The rows to write to ``quarantine/<dataset>/run_id=<run>/``."""
    q = outcomes.where(F.col("_outcome") == QUARANTINED)
    return quarantine_rows(q, dataset, F.col("_reason_code"), F.col("_reason"), run_id)


def unrouted_rows(classified: DataFrame, run_id: str) -> DataFrame:
    """Quarantine rows of the lines that could not be routed to a dataset."""
    q = classified.where(F.col("_dataset") == UNROUTED)
    return quarantine_rows(q, UNROUTED, F.col("_reason_code"), F.col("_reason"), run_id)


def outcome_counts(outcomes: DataFrame) -> DataFrame:
    """Counts by ``_outcome`` and ``_reason_code``."""
    return outcomes.groupBy("_outcome", "_reason_code").count()


# --------------------------------------------------------------------------------------------------
# I/O edge
# --------------------------------------------------------------------------------------------------

LINES_SCHEMA = T.StructType([T.StructField("raw_line", T.StringType()), T.StructField("_source_file", T.StringType())])


LISTING_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism"
TASKS_PER_CORE = 4  # input partitions per core after reading many small raw files
PERSIST_MIN_ROWS = 200_000  # lines of a dataset from which its deduplicated rows are persisted on disk
BROADCAST_MAX_IDS = 200_000  # repeated or already-curated event_ids up to which only their rows are shuffled


def read_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """The lines of raw files (.gz decompressed by Spark) with their object key.

    Performance only (the rows are the same): Spark checks every path given in a listing job of one
    task per path (up to 10,000); a month of Firehose objects is tens of thousands of paths, so the
    listing runs in a few tasks per core instead. The raw files are small (one Firehose buffer each) and
    Spark packs only about 30 into a partition, so the lines are coalesced (no shuffle) to a few
    partitions per core: every later stage runs that many tasks instead of one per 30 files.
    """
    if not paths:
        return spark.createDataFrame([], LINES_SCHEMA)
    cores = spark.sparkContext.defaultParallelism
    previous = spark.conf.get(LISTING_PARALLELISM, None)
    spark.conf.set(LISTING_PARALLELISM, str(max(1, cores * TASKS_PER_CORE)))
    try:
        df = spark.read.text(paths)
    finally:
        if previous is None:
            spark.conf.unset(LISTING_PARALLELISM)
        else:
            spark.conf.set(LISTING_PARALLELISM, previous)
    lines = df.select(F.col("value").alias("raw_line"), source_key(F.input_file_name()).alias("_source_file"))
    target = max(1, cores * TASKS_PER_CORE)
    return lines.coalesce(target) if lines.rdd.getNumPartitions() > target else lines


def read_curated_ids(spark: SparkSession, curated_path: str, dates: list[str]) -> DataFrame:
    """event_ids already curated in the given partitions (empty when the dataset has none yet)."""
    schema = T.StructType([T.StructField("event_id", T.StringType()), T.StructField("event_date", T.StringType())])
    if not dates:
        return spark.createDataFrame([], schema)
    try:
        return spark.read.schema(schema).parquet(curated_path).where(F.col("event_date").isin(dates)).select("event_id")
    except AnalysisException as err:
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err):
            return spark.createDataFrame([], schema)
        raise


class ReconciliationError(RuntimeError):
    """Rows read do not equal rows written + quarantined + deduplicated, or a derived dataset's rows do
    not equal what its source's published rows give."""


def derived_counts(published: DataFrame, derived: list[DerivedDataset]) -> dict[str, dict[str, Any]]:
    """For each derived dataset: its rows by partition (``by_date``) and the rows the published source
    rows must give (``expected``, :data:`EXPECTED_ROWS`): one pass over the source for every expectation."""
    want = published.agg(*[EXPECTED_ROWS[d.name]().cast("long").alias(d.name) for d in derived]).first()
    out: dict[str, dict[str, Any]] = {}
    for d in derived:
        by_date = {r["event_date"]: r["count"] for r in derive(published, d).groupBy("event_date").count().collect()}
        out[d.name] = {"by_date": by_date, "expected": int(want[d.name] or 0)}
    return out


def _counts_by(df: DataFrame) -> dict[tuple[str, str | None], int]:
    return {(r["_outcome"], r["_reason_code"]): r["count"] for r in df.collect()}


def run(
    spark: SparkSession,
    raw_root: str,
    curated_root: str,
    run_id: str,
    dataset_names: list[str] | None = None,
    lines: DataFrame | None = None,
    unreadable: list[tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Curate ``lines`` (the new raw lines), append to curated and quarantine, and return the run report
    (``main()`` writes it).

    ``unreadable`` lists (key, reason) of raw files that could not be read. Returns the run report;
    raises ReconciliationError when a dataset's rows do not reconcile.
    """
    datasets = select_datasets(load_datasets(), dataset_names)
    all_derived = load_derived_datasets()
    curated_at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    # On disk, serialized: each line's parse with every contract is far larger than its text, and a
    # month of it unrolled in memory runs the heap out (OutOfMemoryError with 8 GB).
    classified = classify(non_blank(lines if lines is not None else read_lines(spark, [])), datasets).persist(
        StorageLevel.DISK_ONLY)
    read_by_dataset = {r["_dataset"]: r["count"] for r in classified.groupBy("_dataset").count().collect()}
    report: dict[str, Any] = {
        "job": JOB_NAME, "run_id": run_id, "curated_at": curated_at.isoformat() + "Z",
        "raw_root": raw_root, "curated_root": curated_root, "datasets": {}, "derived": {},
    }
    for ds in datasets:
        for d in derived_from(ds.name, all_derived):
            report["derived"][d.name] = {"from": ds.name, "written": 0, "partitions_written": [],
                                         "expected": 0, "reconciled": True}

    for ds in datasets:
        read = read_by_dataset.get(ds.name, 0)
        entry = {"read": read, "written": 0, "quarantined": {}, "deduplicated": 0,
                 "partitions_written": [], "gates": {"passed": [], "failed": {}}}
        report["datasets"][ds.name] = entry
        if read == 0:
            continue
        rules = ContractRules(ds.contract)
        curated_path = raw_files.join(curated_root, "curated", ds.name)
        parsed = parse_contract(classified, ds, rules).localCheckpoint()  # materialized: a small plan below
        valid = conform(parsed.where(F.col("_violations") == ""), rules)
        dates = sorted(r[0] for r in valid.select("event_date").distinct().collect() if r[0])
        # Materialized before anything is written: a lazy read of curated/ would see this run's own
        # appends if Spark recomputed it after the write, and count new rows as duplicates.
        curated_ids = read_curated_ids(spark, curated_path, dates).localCheckpoint()
        # The ids that repeat within the run, and those already curated: shuffles of the ids alone.
        # When they are few (the usual case: a replay or a retried batch), only their rows are ordered
        # or joined and the rest is never shuffled; otherwise every row is (same rows either way).
        valid_ids = parsed.where(F.col("_violations") == "").select("event_id")
        dup_ids = duplicate_event_ids(valid_ids).localCheckpoint()
        few_dups = dup_ids.count() <= BROADCAST_MAX_IDS
        hits = already_curated_ids(valid_ids, curated_ids).localCheckpoint()
        few_hits = hits.count() <= BROADCAST_MAX_IDS
        persisted: list[DataFrame] = []

        def on_disk(df: DataFrame) -> DataFrame:
            # Serialized on disk, not localCheckpoint(): its deserialized blocks overflow the heap at scale.
            df = df.persist(StorageLevel.DISK_ONLY)
            df.count()
            persisted.append(df)
            return df

        # Persisting pays only when every row goes through the dedupe window, and only at volume: on a
        # small run its fixed cost (a disk block per shuffle partition, read back by every branch)
        # outweighs recomputing the window a few times.
        big = read >= PERSIST_MIN_ROWS and not few_dups
        derived = derived_from(ds.name, all_derived)
        cur = curate_dataset(classified, ds, rules, hits if few_hits else curated_ids, parsed,
                             materialize=on_disk if big else lambda df: df, derived=derived,
                             duplicate_ids=dup_ids if few_dups else None, curated_ids_small=few_hits,
                             materialize_failures=lambda df: df.localCheckpoint())
        outcomes = cur.outcomes.localCheckpoint()
        failures = cur.gate_failures.collect()  # checkpointed by curate_dataset: not computed again
        counts = _counts_by(outcome_counts(outcomes))
        entry["written"] = counts.get((PUBLISHED, None), 0)
        entry["deduplicated"] = counts.get((DEDUPLICATED, None), 0)
        entry["quarantined"] = {code: n for (o, code), n in sorted(counts.items(), key=lambda kv: str(kv[0])) if o == QUARANTINED}
        written_dates: list[str] = []
        if entry["written"]:
            published = published_rows(outcomes, rules, curated_at)
            # The derived rows are counted and reconciled before anything is written: a source written
            # without its derived rows could never be derived again (a re-run deduplicates it).
            derived_stats = derived_counts(published, derived) if derived else {}
            unreconciled = []
            for name, st in derived_stats.items():
                d_entry = report["derived"][name]
                d_entry["written"] = sum(st["by_date"].values())
                d_entry["partitions_written"] = sorted(k for k, n in st["by_date"].items() if n)
                d_entry["expected"] = st["expected"]
                d_entry["reconciled"] = d_entry["written"] == d_entry["expected"]
                if not d_entry["reconciled"]:
                    unreconciled.append(f"{name}: {d_entry['written']} rows derived != {d_entry['expected']} "
                                        f"expected from the {entry['written']} {ds.name} rows published")
            if unreconciled:
                report["reconciled"] = False
                raise ReconciliationError(
                    "Derived rows do not reconcile with their source: " + "; ".join(unreconciled)
                    + f". Run {run_id}: nothing of {ds.name} was written and the raw files were NOT recorded "
                    "as processed; fix the job and re-run."
                )
            published.write.mode("append").partitionBy("event_date").parquet(curated_path)
            for d in derived:
                if report["derived"][d.name]["written"]:
                    derive(published, d).write.mode("append").partitionBy("event_date").parquet(
                        raw_files.join(curated_root, "curated", d.name)
                    )
            written_dates = sorted(r[0] for r in outcomes.where(F.col("_outcome") == PUBLISHED).select("event_date").distinct().collect())
        if entry["quarantined"]:
            quarantined_rows(outcomes, ds.name, run_id).write.mode("append").partitionBy("run_id").parquet(
                raw_files.join(curated_root, "quarantine", ds.name)
            )
        entry["partitions_written"] = written_dates
        for df in persisted:
            df.unpersist()
        failed: dict[str, list[str]] = {}
        for f in failures:
            failed.setdefault(f["event_date"], []).append(f"{f['rule']} ({f['failed_rows']} rows)")
        entry["gates"] = {"passed": [d for d in dates if d not in failed], "failed": {d: sorted(v) for d, v in sorted(failed.items())}}

    unrouted = classified.where(F.col("_dataset") == UNROUTED)
    unrouted_counts = {r["_reason_code"]: r["count"] for r in unrouted.groupBy("_reason_code").count().collect()}
    unreadable = unreadable or []
    if unreadable:
        unrouted_counts[UNREADABLE_FILE] = len(unreadable)
    q_unrouted = unrouted_rows(classified, run_id)
    if unreadable:
        files_df = spark.createDataFrame(
            [(None, key, reason) for key, reason in unreadable],
            "raw_line string, _source_file string, reason string",
        )
        q_unrouted = q_unrouted.unionByName(quarantine_rows(files_df, UNROUTED, UNREADABLE_FILE, F.col("reason"), run_id))
    if unrouted_counts:
        q_unrouted.write.mode("append").partitionBy("run_id").parquet(raw_files.join(curated_root, "quarantine", UNROUTED))
    report["unrouted"] = {"read": sum(unrouted_counts.values()), "quarantined": dict(sorted(unrouted_counts.items()))}
    classified.unpersist()

    errors = []
    for name, e in report["datasets"].items():
        accounted = e["written"] + sum(e["quarantined"].values()) + e["deduplicated"]
        e["reconciled"] = accounted == e["read"]
        if not e["reconciled"]:
            errors.append(f"{name}: read {e['read']} != written {e['written']} + quarantined "
                          f"{sum(e['quarantined'].values())} + deduplicated {e['deduplicated']}")
    totals = {k: sum(e[k] for e in report["datasets"].values()) for k in ("read", "written", "deduplicated")}
    totals["read"] += report["unrouted"]["read"]
    totals["quarantined"] = sum(sum(e["quarantined"].values()) for e in report["datasets"].values()) + report["unrouted"]["read"]
    report["totals"] = totals
    report["reconciled"] = not errors
    if errors:
        raise ReconciliationError(
            "Row counts do not reconcile (read = written + quarantined + deduplicated): " + "; ".join(errors)
            + f". Run {run_id}: the raw files were NOT recorded as processed; fix the job and re-run."
        )
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The job's arguments (unknown ones, such as those Glue adds, are ignored)."""
    p = job_parser(JOB_NAME, __doc__.split("\n\n")[0], "events/")
    p.add_argument("--datasets", default="", help="comma-separated dataset names (default: all)")
    p.add_argument("--bookmarks", choices=["state", "glue"], default="state",
                   help="state: the job's own processed-files record under _state/ (twin, default); "
                        "glue: AWS Glue job bookmarks")
    return parse_job_args(p, argv)


def _state_mode_inputs(spark: SparkSession, args: argparse.Namespace, datasets: list[Dataset]):
    """New raw files from the processed-files record, split into readable and unreadable."""
    state_file = raw_files.join(args.curated_root, "_state", JOB_NAME, "processed_files.json")
    processed = raw_files.load_processed(state_file)
    fresh = raw_files.new_files(raw_files.list_raw_files(args.raw_root, {d.stream for d in datasets}), processed)
    readable, unreadable = [], []
    for f in fresh:
        why = raw_files.unreadable_reason(raw_files.join(args.raw_root, f.key))
        (unreadable.append((f.key, why)) if why else readable.append(f))
    lines = read_lines(spark, [raw_files.join(args.raw_root, f.key) for f in readable])
    return lines, unreadable, fresh, processed, state_file


def _glue_mode_inputs(spark: SparkSession, args: argparse.Namespace, datasets: list[Dataset]):  # pragma: no cover
    """On AWS Glue with job bookmarks: Glue lists the objects not yet processed. Each line is read as
    one text column (CSV with a separator and quote that never occur), so malformed JSON is kept."""
    from awsglue.context import GlueContext  # lazily: only present on Glue
    from awsglue.job import Job

    glue_context = GlueContext(spark.sparkContext)
    job = Job(glue_context)
    job.init(args.JOB_NAME, {"JOB_NAME": args.JOB_NAME})
    paths = [raw_files.join(args.raw_root, raw_files.RAW_EVENTS_PREFIX, f"stream={s}") + "/"
             for s in sorted({d.stream for d in datasets})]
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": paths, "recurse": True},
        format="csv",
        format_options={"separator": "\u0001", "quoteChar": -1, "withHeader": False},
        transformation_ctx="raw_events",
    )
    df = frame.toDF()
    lines = df.select(F.col(df.columns[0]).cast("string").alias("raw_line"),
                      source_key(F.input_file_name()).alias("_source_file")) if df.columns else read_lines(spark, [])
    return lines, job


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Read arguments, curate the new raw files, write the run report, record the files processed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = args.run_id
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    datasets = select_datasets(load_datasets(), names)
    spark = spark_session(JOB_NAME)
    if args.bookmarks == "glue":  # pragma: no cover - AWS only
        lines, job = _glue_mode_inputs(spark, args, datasets)
        report = run(spark, args.raw_root, args.curated_root, run_id, names, lines=lines)
        report["files"] = {"mode": "glue-bookmarks"}
    else:
        lines, unreadable, fresh, processed, state_file = _state_mode_inputs(spark, args, datasets)
        report = run(spark, args.raw_root, args.curated_root, run_id, names, lines=lines, unreadable=unreadable)
        report["files"] = {"mode": "state", "new": len(fresh), "unreadable": [k for k, _ in unreadable]}
    finish_run(JOB_NAME, args, report)
    if args.bookmarks == "glue":  # pragma: no cover - AWS only
        job.commit()
    else:
        raw_files.write_text(state_file, raw_files.record_processed(processed, fresh, run_id))
    return report


if __name__ == "__main__":
    main()
