"""Glue job: DynamoDB document tables -> curated Parquet snapshots.

Reads a DynamoDB full export (ExportTableToPointInTime, DYNAMODB_JSON) of each document table from the
raw zone (``dynamodb/<table-id>/AWSDynamoDB/<export-id>/``: ``manifest-summary.json``,
``manifest-files.json``, ``data/<name>.json.gz`` with one ``{"Item": {...}}`` per line), decodes each
item's DynamoDB JSON into the contract's document (internal attributes such as keys, TTL and event-id
sets dropped explicitly), parses it with the contract's Spark schema (nested fields kept typed as
structs and arrays), quarantines what fails with a reason, and writes the export as one snapshot of
the table: ``curated/<dataset>/export_date=<d>/export_id=<id>/``.

``--export-mode existing`` (the twin, default) curates the newest complete export of each table that is
not curated yet; ``--export-mode start`` (AWS) first asks DynamoDB for a new export and waits for it.
Pure functions below; ``main()`` reads arguments and does the I/O. See docs/glue-jobs.md.

Run locally:  .venv/bin/python glue-scripts/jobs/dynamodb_documents_to_curated.py --raw-root R --curated-root C
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: make glue-scripts/ importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The item decoder runs as a Python UDF: its workers must run this interpreter (the project's .venv
# locally; Glue sets PYSPARK_PYTHON itself, which is then kept).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark import cloudpickle
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from common import raw_files
from common.contract_rules import CORRUPT, ContractRules
from common.datasets import quarantine_struct
from common.document_datasets import DocumentDataset, load_document_datasets, select_tables
from common.spark import session as spark_session
from common.job_run import finish_run, job_parser, parse_job_args

JOB_NAME = "dynamodb_documents_to_curated"
EXPORTS_PREFIX = "dynamodb"  # raw zone: dynamodb/<table-id>/AWSDynamoDB/<export-id>/...
AWS_DYNAMODB = "AWSDynamoDB"
EXPORT_FORMAT = "DYNAMODB_JSON"

CONTRACT_VIOLATION = "CONTRACT_VIOLATION"
UNDECODABLE_ITEM = "UNDECODABLE_ITEM"
UNREADABLE_FILE = "UNREADABLE_FILE"
PUBLISHED, QUARANTINED = "published", "quarantined"

PERMISSIVE = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT}


# --------------------------------------------------------------------------------------------------
# DynamoDB JSON -> document (pure Python, tested on its own; runs as a UDF)
# --------------------------------------------------------------------------------------------------


class DecodeError(ValueError):
    """A line or attribute value that is not valid DynamoDB JSON; the message names where."""


def _number(text: Any, where: str) -> Decimal:
    if not isinstance(text, str):
        raise DecodeError(f"{where}: N must be a string of digits, got {type(text).__name__}")
    try:
        value = Decimal(text)
    except InvalidOperation as err:
        raise DecodeError(f"{where}: N value {text!r} is not a number") from err
    if not value.is_finite():
        raise DecodeError(f"{where}: N value {text!r} is not a finite number")
    return value


def _binary(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise DecodeError(f"{where}: B must be a base64 string, got {type(text).__name__}")
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise DecodeError(f"{where}: B value is not valid base64") from err
    return text


def decode_value(av: Any, where: str = "(item)") -> Any:
    """One DynamoDB JSON attribute value as a plain value: S -> str, N -> Decimal (exact), BOOL -> bool,
    NULL -> None, M -> dict, L -> list, SS/NS/BS -> sorted list (a set has no order; sorting makes the
    curated row deterministic), B/BS -> the base64 text. Raises DecodeError naming ``where``."""
    if not isinstance(av, dict) or len(av) != 1:
        raise DecodeError(
            f"{where}: expected one DynamoDB type descriptor such as {{\"S\": ...}}, got {json.dumps(av)[:80]}"
        )
    (tag, v), = av.items()
    if tag == "S":
        if not isinstance(v, str):
            raise DecodeError(f"{where}: S must be a string, got {type(v).__name__}")
        return v
    if tag == "N":
        return _number(v, where)
    if tag == "BOOL":
        if not isinstance(v, bool):
            raise DecodeError(f"{where}: BOOL must be true or false, got {json.dumps(v)}")
        return v
    if tag == "NULL":
        if v is not True:
            raise DecodeError(f"{where}: NULL must be true, got {json.dumps(v)}")
        return None
    if tag == "B":
        return _binary(v, where)
    if tag == "M":
        if not isinstance(v, dict):
            raise DecodeError(f"{where}: M must be an object, got {type(v).__name__}")
        return {k: decode_value(x, f"{where}.{k}") for k, x in v.items()}
    if tag == "L":
        if not isinstance(v, list):
            raise DecodeError(f"{where}: L must be an array, got {type(v).__name__}")
        return [decode_value(x, f"{where}[{i}]") for i, x in enumerate(v)]
    if tag in ("SS", "NS", "BS"):
        if not isinstance(v, list) or not v:
            raise DecodeError(f"{where}: {tag} must be a non-empty array")
        if tag == "SS":
            if not all(isinstance(x, str) for x in v):
                raise DecodeError(f"{where}: SS must hold strings only")
            return sorted(v)
        if tag == "NS":
            return sorted(_number(x, f"{where}[{i}]") for i, x in enumerate(v))
        return sorted(_binary(x, f"{where}[{i}]") for i, x in enumerate(v))
    raise DecodeError(
        f"{where}: unknown DynamoDB type descriptor {tag!r} (expected S, N, BOOL, NULL, B, M, L, SS, NS or BS)"
    )


def decode_export_line(line: str) -> dict[str, Any]:
    """The item of one line of a DynamoDB JSON export data file (``{"Item": {<name>: <value>}}``) as
    a plain dict. Raises DecodeError."""
    try:
        obj = json.loads(line)
    except ValueError as err:
        raise DecodeError(f"line is not JSON ({err})") from err
    if not isinstance(obj, dict) or not isinstance(obj.get("Item"), dict):
        raise DecodeError('line is not an export item: expected {"Item": {<attribute>: <DynamoDB JSON value>}}')
    return {k: decode_value(v, k) for k, v in obj["Item"].items()}


def to_json(value: Any) -> str:
    """Compact JSON text of a decoded value; a Decimal is written as an exact JSON number (integral
    values without a fraction, others without an exponent), so no precision is lost on the way to the
    contract's types (LongType, DoubleType, DECIMAL(18,4))."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


@dataclass(frozen=True)
class DecodedItem:
    """What the decoder makes of one export line: the document JSON (contract fields only, null when
    undecodable), the attributes that are neither contract fields nor known internal attributes, and
    why the line could not be decoded (null when it could)."""

    document: str | None
    unexpected: tuple[str, ...] = ()
    error: str | None = None


def decode_document(line: str, contract_fields: list[str], internal_attributes: list[str]) -> DecodedItem:
    """An export line as the contract's document: internal attributes dropped, every other attribute
    kept (one that is not a contract field is reported in ``unexpected``, so the row is quarantined as a
    contract violation rather than silently trimmed)."""
    try:
        item = decode_export_line(line)
    except DecodeError as err:
        return DecodedItem(None, (), str(err))
    fields, internal = set(contract_fields), set(internal_attributes)
    doc = {k: v for k, v in item.items() if k in fields}
    unexpected = tuple(sorted(k for k in item if k not in fields and k not in internal))
    return DecodedItem(to_json(doc), unexpected, None)


DECODED = T.StructType([
    T.StructField("document", T.StringType()),
    T.StructField("unexpected", T.StringType()),
    T.StructField("error", T.StringType()),
])


def decoder_udf(contract_fields: list[str], internal_attributes: list[str]):
    """The Spark UDF of :func:`decode_document` for one dataset (returns ``DECODED``)."""
    fields, internal = list(contract_fields), list(internal_attributes)
    # The decoder is shipped to the Python workers by value: they need not import this module (in the
    # twin and in pytest, glue-scripts/ is not on the workers' path; on Glue the job is __main__ anyway).
    if __name__ != "__main__":
        cloudpickle.register_pickle_by_value(sys.modules[__name__])

    def decode(line: str | None) -> tuple[str | None, str, str | None]:
        d = decode_document(line or "", fields, internal)
        return d.document, ", ".join(d.unexpected), d.error

    return F.udf(decode, DECODED)


# --------------------------------------------------------------------------------------------------
# Pure DataFrame transforms
# --------------------------------------------------------------------------------------------------


def source_key(file_uri: Column) -> Column:
    """The raw object key (``dynamodb/<table-id>/AWSDynamoDB/...``) of a file URI as Spark reports it."""
    return F.regexp_extract(file_uri, rf"({EXPORTS_PREFIX}/[^/]+/{AWS_DYNAMODB}/.*)$", 1)


def non_blank(lines: DataFrame) -> DataFrame:
    """Drop blank lines (a trailing newline is not an item). Input: ``raw_line``, ``_source_file``."""
    return lines.where(F.trim(F.col("raw_line")) != "")


def decode_items(lines: DataFrame, dataset: DocumentDataset, rules: ContractRules) -> DataFrame:
    """Adds ``_doc`` (the document JSON), ``_unexpected`` and ``_decode_error`` to each export line."""
    udf = decoder_udf(rules.columns, list(dataset.internal_attributes))
    return lines.select("raw_line", "_source_file", udf(F.col("raw_line")).alias("_d")).select(
        "raw_line", "_source_file",
        F.col("_d.document").alias("_doc"), F.col("_d.unexpected").alias("_unexpected"),
        F.col("_d.error").alias("_decode_error"),
    )


def parse_documents(decoded: DataFrame, dataset: DocumentDataset, rules: ContractRules) -> DataFrame:
    """The decodable rows parsed with the contract's schema, plus ``_violations``: every broken contract
    rule (and every attribute that is neither a contract field nor an internal attribute), '' when none."""
    ok = decoded.where(F.col("_decode_error").isNull())
    parsed = ok.select(
        "raw_line", "_source_file", "_doc", "_unexpected",
        F.from_json(F.col("_doc"), rules.parse_struct(), PERMISSIVE).alias("p"),
    ).select("raw_line", "_source_file", "_doc", "_unexpected", "p.*")
    unexpected = F.when(
        F.col("_unexpected") != "",
        F.concat(F.lit(f"attribute(s) not in contract {dataset.contract} nor internal to table {dataset.table_id}: "),
                 F.col("_unexpected")),
    )
    rule_reasons = rules.violation_reason(F.col("_doc"))
    violations = F.concat_ws("; ", unexpected, F.when(rule_reasons != "", rule_reasons))
    return parsed.withColumn("_violations", violations).drop(CORRUPT, "_unexpected")


def conform(valid: DataFrame, rules: ContractRules) -> DataFrame:
    """Top-level date-times to UTC timestamps (nested ones are parsed by the contract schema itself)."""
    out = valid
    for name in rules.timestamp_fields:
        out = out.withColumn(name, F.to_timestamp(F.col(name)))
    return out


def document_outcomes(
    decoded: DataFrame, dataset: DocumentDataset, rules: ContractRules, parsed: DataFrame | None = None
) -> DataFrame:
    """Every export line with ``_outcome`` (published or quarantined), ``_reason_code`` and ``_reason``,
    the contract's columns (null for quarantined rows), ``raw_line`` and ``_source_file``. Pure.

    ``parsed`` may be ``parse_documents(decoded, ...)`` materialized by the caller (the rule expression
    is wide; a materialized input keeps the plan small)."""
    parsed = parsed if parsed is not None else parse_documents(decoded, dataset, rules)
    undecodable = decoded.where(F.col("_decode_error").isNotNull()).select(
        "raw_line", "_source_file", F.lit(QUARANTINED).alias("_outcome"),
        F.lit(UNDECODABLE_ITEM).alias("_reason_code"), F.col("_decode_error").alias("_reason"),
    )
    violations = parsed.where(F.col("_violations") != "").select(
        "raw_line", "_source_file", F.lit(QUARANTINED).alias("_outcome"),
        F.lit(CONTRACT_VIOLATION).alias("_reason_code"), F.col("_violations").alias("_reason"),
    )
    valid = conform(parsed.where(F.col("_violations") == ""), rules).select(
        "raw_line", "_source_file", *rules.columns, F.lit(PUBLISHED).alias("_outcome"),
        F.lit(None).cast("string").alias("_reason_code"), F.lit(None).cast("string").alias("_reason"),
    )
    return valid.unionByName(undecodable, allowMissingColumns=True).unionByName(violations, allowMissingColumns=True)


def snapshot_rows(outcomes: DataFrame, rules: ContractRules, curated_at: datetime) -> DataFrame:
    """The published rows in the curated shape: the contract's columns, then the lineage columns
    (``_source_file``, ``_curated_at``). The partition columns are the snapshot's folder names."""
    return outcomes.where(F.col("_outcome") == PUBLISHED).select(
        *rules.columns, "_source_file", F.lit(curated_at).cast("timestamp").alias("_curated_at")
    )


def quarantine_rows(rows: DataFrame, dataset: str, reason_code: str | Column, reason: Column, run_id: str) -> DataFrame:
    """Rows in the quarantine shape of contracts/datasets.json (dataset, reason_code, reason,
    raw_line, _source_file, run_id)."""
    as_col = lambda v: v if isinstance(v, Column) else F.lit(v)  # noqa: E731
    cols = {
        "dataset": F.lit(dataset), "reason_code": as_col(reason_code), "reason": reason,
        "raw_line": F.col("raw_line"), "_source_file": F.col("_source_file"), "run_id": F.lit(run_id),
    }
    return rows.select(*[cols[f.name].cast(f.dataType).alias(f.name) for f in quarantine_struct().fields])


def quarantined_rows(outcomes: DataFrame, dataset: str, run_id: str) -> DataFrame:
    """The rows to write to ``quarantine/<dataset>/run_id=<run>/``."""
    q = outcomes.where(F.col("_outcome") == QUARANTINED)
    return quarantine_rows(q, dataset, F.col("_reason_code"), F.col("_reason"), run_id)


def outcome_counts(outcomes: DataFrame) -> DataFrame:
    """Counts by ``_source_file``, ``_outcome`` and ``_reason_code``."""
    return outcomes.groupBy("_source_file", "_outcome", "_reason_code").count()


# --------------------------------------------------------------------------------------------------
# Exports in the raw zone
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    """One data file of an export, per ``manifest-files.json``."""

    key: str  # the S3 key (relative to the raw root): dynamodb/<table-id>/AWSDynamoDB/<id>/data/<n>.json.gz
    item_count: int


@dataclass(frozen=True)
class Export:
    """A complete DynamoDB export of one table in the raw zone."""

    table_id: str
    export_id: str
    export_arn: str
    export_time: datetime  # UTC, naive
    item_count: int
    summary_key: str
    data_files: tuple[DataFile, ...] = field(default_factory=tuple)

    @property
    def export_date(self) -> str:
        return self.export_time.strftime("%Y-%m-%d")


def table_prefix(table_id: str) -> str:
    """The raw-zone prefix of a table's exports (the S3Prefix of ExportTableToPointInTime)."""
    return f"{EXPORTS_PREFIX}/{table_id}"


def parse_time(text: str) -> datetime:
    """An RFC 3339 time of a manifest (``2020-11-04T07:28:34.028Z``) as naive UTC."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


def resolve_key(table_id: str, key: str) -> str:
    """A manifest key relative to the raw root. AWS writes full bucket keys (with the S3 prefix, which
    holds the raw root's own prefix when there is one: that part is dropped); a key that starts at
    ``AWSDynamoDB/`` (an export made without a prefix, then moved) gets the table prefix."""
    marker = f"{table_prefix(table_id)}/{AWS_DYNAMODB}/"
    at = key.find(marker)
    if at >= 0:
        return key[at:]
    if key.startswith(f"{AWS_DYNAMODB}/"):
        return f"{table_prefix(table_id)}/{key}"
    return key


def parse_manifests(table_id: str, summary_key: str, summary_text: str, files_text: str | None) -> Export:
    """An Export from the text of its ``manifest-summary.json`` and ``manifest-files.json`` (JSON lines).
    Raises ValueError naming the file and what is wrong."""
    try:
        s = json.loads(summary_text)
        export_arn = s["exportArn"]
        export_time = parse_time(s["exportTime"])
        item_count = int(s["itemCount"])
        files_key = s["manifestFilesS3Key"]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{summary_key}: not a DynamoDB export summary ({type(err).__name__}: {err})") from err
    if s.get("outputFormat", EXPORT_FORMAT) != EXPORT_FORMAT:
        raise ValueError(f"{summary_key}: outputFormat is {s.get('outputFormat')}; the job reads {EXPORT_FORMAT} exports only")
    if s.get("exportType", "FULL_EXPORT") != "FULL_EXPORT":
        raise ValueError(f"{summary_key}: exportType is {s.get('exportType')}; the job reads FULL_EXPORT exports only")
    export_id = export_arn.rsplit("/", 1)[-1]
    if files_text is None:
        raise ValueError(f"{summary_key}: its manifest-files.json ({files_key}) is missing; re-export the table")
    data_files = []
    for n, line in enumerate(files_text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            data_files.append(DataFile(resolve_key(table_id, entry["dataFileS3Key"]), int(entry["itemCount"])))
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{files_key} line {n}: not a manifest entry ({type(err).__name__}: {err})") from err
    return Export(table_id, export_id, export_arn, export_time, item_count, summary_key, tuple(data_files))


def list_export_summaries(raw_root: str, table_id: str) -> list[str]:
    """Keys of every ``manifest-summary.json`` of a table's exports (complete exports: DynamoDB writes
    the summary last)."""
    prefix = f"{table_prefix(table_id)}/{AWS_DYNAMODB}/"
    if raw_root.startswith("s3://"):  # pragma: no cover - needs AWS
        bucket, base = _split_s3(raw_root)
        base = base.rstrip("/") + "/" if base else ""
        pages = raw_files._s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base + prefix)
        return sorted(o["Key"][len(base):] for p in pages for o in p.get("Contents", [])
                      if o["Key"].endswith("/manifest-summary.json"))
    top = os.path.join(raw_root, prefix)
    if not os.path.isdir(top):
        return []
    return sorted(f"{prefix}{d}/manifest-summary.json" for d in os.listdir(top)
                  if os.path.isfile(os.path.join(top, d, "manifest-summary.json")))


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def load_export(raw_root: str, table_id: str, summary_key: str) -> Export:
    """The Export whose summary is at ``summary_key`` (relative to the raw root)."""
    summary = raw_files.read_text(raw_files.join(raw_root, summary_key))
    if summary is None:
        raise ValueError(f"{summary_key}: missing")
    files_key = json.loads(summary).get("manifestFilesS3Key", "")
    files_text = raw_files.read_text(raw_files.join(raw_root, resolve_key(table_id, files_key))) if files_key else None
    return parse_manifests(table_id, summary_key, summary, files_text)


def newest_export(raw_root: str, table_id: str) -> Export | None:
    """The newest complete export of a table (by exportTime, then export id), None when there is none."""
    exports = [load_export(raw_root, table_id, k) for k in list_export_summaries(raw_root, table_id)]
    return max(exports, key=lambda e: (e.export_time, e.export_id)) if exports else None


# --------------------------------------------------------------------------------------------------
# State: exports curated, and the latest snapshot of each dataset
# --------------------------------------------------------------------------------------------------


def state_path(curated_root: str, name: str) -> str:
    return raw_files.join(curated_root, "_state", JOB_NAME, name)


def load_state(curated_root: str) -> dict[str, Any]:
    """``exports.json``: per table id, the exports curated (export id -> export time, run id, counts)."""
    path = state_path(curated_root, "exports.json")
    text = raw_files.read_text(path)
    if text is None:
        return {"tables": {}}
    try:
        state = json.loads(text)
        state["tables"]  # noqa: B018 - shape check
        return state
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(
            f"The job state {path} is not valid ({err}); restore it from a backup or delete it (the next run "
            "then curates the newest export of each table again, overwriting its own snapshot partition)."
        ) from err


def snapshot_path(curated_root: str, dataset: str, export: Export) -> str:
    """``curated/<dataset>/export_date=<d>/export_id=<id>``."""
    return raw_files.join(curated_root, "curated", dataset, f"export_date={export.export_date}", f"export_id={export.export_id}")


# --------------------------------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------------------------------

LINES_SCHEMA = T.StructType([T.StructField("raw_line", T.StringType()), T.StructField("_source_file", T.StringType())])


def read_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """The lines of export data files (.json.gz decompressed by Spark) with their object key."""
    if not paths:
        return spark.createDataFrame([], LINES_SCHEMA)
    df = spark.read.text(paths)
    return df.select(F.col("value").alias("raw_line"), source_key(F.input_file_name()).alias("_source_file"))


def data_file_path(raw_root: str, key: str) -> str:
    """The path of a data file: its key (relative to the raw root) under the raw root."""
    return raw_files.join(raw_root, key)


def file_problem(path: str) -> str | None:
    """Why a data file listed in the manifest cannot be read (missing, corrupt gzip), None when it can."""
    if not path.startswith("s3://") and not os.path.exists(path):
        return "data file listed in manifest-files.json is missing"
    return raw_files.unreadable_reason(path)


class ReconciliationError(RuntimeError):
    """Items of an export are not all accounted for."""


def curate_export(
    spark: SparkSession, raw_root: str, curated_root: str, run_id: str, ds: DocumentDataset, export: Export,
    curated_at: datetime,
) -> dict[str, Any]:
    """Curate one export into its snapshot partition and the quarantine; returns the dataset's report
    entry. Nothing is written when the counts do not reconcile (ReconciliationError)."""
    rules = ContractRules(ds.contract)
    readable: list[DataFile] = []
    unreadable: list[tuple[DataFile, str]] = []
    for f in export.data_files:
        why = file_problem(data_file_path(raw_root, f.key))
        (unreadable.append((f, why)) if why else readable.append(f))

    lines = non_blank(read_lines(spark, [data_file_path(raw_root, f.key) for f in readable]))
    # Cached, not checkpointed: the counts below materialize both in one pass (the UDF runs once per
    # line), and the writes read the cache. A recomputation after an eviction gives the same rows.
    decoded = decode_items(lines, ds, rules).cache()
    outcomes = document_outcomes(decoded, ds, rules).cache()

    per_file: dict[str, int] = {}
    counts: dict[tuple[str, str | None], int] = {}
    for r in outcome_counts(outcomes).collect():
        per_file[r["_source_file"]] = per_file.get(r["_source_file"], 0) + r["count"]
        counts[(r["_outcome"], r["_reason_code"])] = counts.get((r["_outcome"], r["_reason_code"]), 0) + r["count"]
    lines_read = sum(per_file.values())
    written = counts.get((PUBLISHED, None), 0)
    quarantined = {code: n for (o, code), n in sorted(counts.items(), key=lambda kv: str(kv[0])) if o == QUARANTINED}
    if unreadable:
        quarantined[UNREADABLE_FILE] = sum(f.item_count for f, _ in unreadable)
    manifest_items = sum(f.item_count for f in export.data_files)
    mismatched = [f"{f.key}: manifest itemCount {f.item_count}, lines read {per_file.get(f.key, 0)}"
                  for f in readable if per_file.get(f.key, 0) != f.item_count]
    if manifest_items != export.item_count:
        mismatched.append(f"{export.summary_key}: itemCount {export.item_count}, manifest-files.json sum {manifest_items}")
    entry: dict[str, Any] = {
        "table_id": ds.table_id, "export_id": export.export_id, "export_time": export.export_time.isoformat() + "Z",
        "export_date": export.export_date, "status": "curated",
        "read": manifest_items, "lines_read": lines_read, "written": written, "quarantined": quarantined,
        "manifest_check": {"items": export.item_count, "files": len(export.data_files),
                           "unreadable_files": [f.key for f, _ in unreadable], "mismatched": mismatched},
    }
    accounted = written + sum(quarantined.values())
    entry["reconciled"] = accounted == manifest_items and not mismatched
    if not entry["reconciled"]:
        outcomes.unpersist()
        decoded.unpersist()
        raise ReconciliationError(
            f"{ds.name} (export {export.export_id} of {ds.table_id}): items in the manifest {manifest_items} != written "
            f"{written} + quarantined {sum(quarantined.values())}" + (f"; {'; '.join(mismatched)}" if mismatched else "")
            + f". Run {run_id} wrote nothing and did not record the export; check the export's files (or re-export) and re-run."
        )

    # Writes: the snapshot partition (overwritten as a whole, so a re-run after a crash writes the same
    # snapshot, never a second copy), then the quarantine rows of this run.
    snapshot_rows(outcomes, rules, curated_at).write.mode("overwrite").parquet(
        snapshot_path(curated_root, ds.name, export))
    q = quarantined_rows(outcomes, ds.name, run_id)
    if unreadable:
        files_df = spark.createDataFrame(
            [(None, f.key, f"{why} ({f.item_count} items per the manifest)") for f, why in unreadable],
            "raw_line string, _source_file string, reason string",
        )
        q = q.unionByName(quarantine_rows(files_df, ds.name, UNREADABLE_FILE, F.col("reason"), run_id))
    if quarantined:
        q.write.mode("append").partitionBy("run_id").parquet(raw_files.join(curated_root, "quarantine", ds.name))
    outcomes.unpersist()
    decoded.unpersist()
    entry["snapshot"] = f"curated/{ds.name}/export_date={export.export_date}/export_id={export.export_id}"
    return entry


def run(
    spark: SparkSession | None,
    raw_root: str,
    curated_root: str,
    run_id: str,
    tables: list[str] | None = None,
    now: datetime | None = None,
    exports: dict[str, Export] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Curate the newest export of each selected table not curated yet. Returns (run report, new
    exports state, new latest-snapshots record); ``main()`` writes them, in that order.

    ``exports`` gives the export to curate per table id (the ``start`` mode); else the newest complete
    export in the raw zone is taken. ``spark`` None: the job's session, started only when an export is
    to be curated (a run with nothing new starts no JVM)."""
    datasets = select_tables(load_document_datasets(), tables)
    curated_at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    state = load_state(curated_root)
    latest = json.loads(raw_files.read_text(state_path(curated_root, "latest.json")) or "{}")
    report: dict[str, Any] = {
        "job": JOB_NAME, "run_id": run_id, "curated_at": curated_at.isoformat() + "Z",
        "raw_root": raw_root, "curated_root": curated_root, "datasets": {},
    }
    for ds in datasets:
        export = (exports or {}).get(ds.table_id) or newest_export(raw_root, ds.table_id)
        done = state["tables"].setdefault(ds.table_id, {"exports": {}})["exports"]
        if export is None:
            report["datasets"][ds.name] = {"table_id": ds.table_id, "status": "no export", "export_id": None,
                                           "read": 0, "written": 0, "quarantined": {}, "reconciled": True}
            continue
        if export.export_id in done:
            report["datasets"][ds.name] = {"table_id": ds.table_id, "status": "already curated",
                                           "export_id": export.export_id, "read": 0, "written": 0,
                                           "quarantined": {}, "reconciled": True}
            continue
        spark = spark or spark_session(JOB_NAME)
        entry = curate_export(spark, raw_root, curated_root, run_id, ds, export, curated_at)
        report["datasets"][ds.name] = entry
        done[export.export_id] = {"export_time": entry["export_time"], "run_id": run_id, "read": entry["read"],
                                  "written": entry["written"], "quarantined": entry["quarantined"]}
        previous = latest.get(ds.name)
        if previous is None or (previous["export_time"], previous["export_id"]) <= (entry["export_time"], export.export_id):
            latest[ds.name] = {"table_id": ds.table_id, "export_id": export.export_id, "export_date": export.export_date,
                               "export_time": entry["export_time"], "path": entry["snapshot"], "rows": entry["written"],
                               "run_id": run_id}
    entries = report["datasets"].values()
    report["totals"] = {
        "read": sum(e["read"] for e in entries), "written": sum(e["written"] for e in entries),
        "quarantined": sum(sum(e["quarantined"].values()) for e in entries),
    }
    report["reconciled"] = all(e["reconciled"] for e in entries)
    return report, state, dict(sorted(latest.items()))


def tables_due_for_export(newest: dict[str, datetime | None], now: datetime, interval_hours: float) -> list[str]:
    """The tables whose newest export is older than ``interval_hours`` (or that have none), in the
    order given. A full export is billed per GB of the whole table, so the workflow, which may run
    hourly, exports a table only once per interval; the runs in between curate nothing new for it."""
    due = []
    for table_id, exported_at in newest.items():
        if interval_hours <= 0 or exported_at is None or (now - exported_at).total_seconds() >= interval_hours * 3600:
            due.append(table_id)
    return due


# --------------------------------------------------------------------------------------------------
# AWS: start an export and wait for it
# --------------------------------------------------------------------------------------------------


def start_exports(
    args: argparse.Namespace,
    datasets: list[DocumentDataset],
    ddb: Any = None,
    newest: Callable[[str, str], Export | None] | None = None,
    load: Callable[[str, str, str], Export] | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Export]:
    """ExportTableToPointInTime for each table due (full export, DynamoDB JSON, SSE-KMS when a key is
    given) into ``<export bucket>/<raw prefix>/dynamodb/<table-id>/``, then DescribeExport until each
    completes. Needs point-in-time recovery on the tables. Returns the exports by table id. ``ddb``
    (a boto3 DynamoDB client), ``newest``, ``load``, ``now`` and ``sleep`` default to the real ones."""
    if ddb is None:  # pragma: no cover - AWS only
        import boto3  # lazily: only the AWS mode needs it

        ddb = boto3.client("dynamodb")
    newest = newest or newest_export
    load = load or load_export
    if not args.table_prefix:
        raise ValueError("--export-mode start needs --table-prefix (for example ecom-dev) to name the tables")
    if not args.raw_root.startswith("s3://"):
        raise ValueError(f"--export-mode start needs an s3:// --raw-root (the bucket the export is written to), got {args.raw_root}")
    bucket, base = _split_s3(args.raw_root)
    if args.export_bucket and args.export_bucket != bucket:
        raise ValueError(f"--export-bucket {args.export_bucket} differs from the bucket of --raw-root {args.raw_root}; the job "
                         "reads the export from the raw root, so leave --export-bucket out or make them the same")
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    exported = {ds.table_id: (e.export_time if (e := newest(args.raw_root, ds.table_id)) else None) for ds in datasets}
    due = set(tables_due_for_export(exported, now, args.export_interval_hours))
    for table_id in sorted(set(exported) - due):
        print(f"no export of {table_id}: its newest export ({exported[table_id]}) is younger than "
              f"--export-interval-hours {args.export_interval_hours}")
    arns: dict[str, str] = {}
    for ds in [d for d in datasets if d.table_id in due]:
        table_arn = ddb.describe_table(TableName=f"{args.table_prefix}-{ds.table_id}")["Table"]["TableArn"]
        request: dict[str, Any] = {
            "TableArn": table_arn, "S3Bucket": bucket,
            "S3Prefix": "/".join(p for p in (base.strip("/"), table_prefix(ds.table_id)) if p),
            "ExportFormat": EXPORT_FORMAT, "ExportType": "FULL_EXPORT",
            "ClientToken": f"{JOB_NAME}-{args.run_id or ''}-{ds.table_id}"[:64],
        }
        if args.kms_key_arn:
            request.update(S3SseAlgorithm="KMS", S3SseKmsKeyId=args.kms_key_arn)
        arns[ds.table_id] = ddb.export_table_to_point_in_time(**request)["ExportDescription"]["ExportArn"]
        print(f"started export {arns[ds.table_id]} of {table_arn}")
    deadline = time.time() + args.export_timeout_minutes * 60
    out: dict[str, Export] = {}
    while len(out) < len(arns):
        for table_id, arn in arns.items():
            if table_id in out:
                continue
            d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
            if d["ExportStatus"] == "FAILED":
                raise RuntimeError(f"export {arn} failed: {d.get('FailureCode')}: {d.get('FailureMessage')}")
            if d["ExportStatus"] == "COMPLETED":
                key = d["ExportManifest"]  # the manifest-summary.json key, with the S3 prefix
                rel = key[len(base.strip("/")) + 1:] if base.strip("/") and key.startswith(base.strip("/") + "/") else key
                out[table_id] = load(args.raw_root, table_id, rel)
        if len(out) < len(arns):
            if time.time() > deadline:
                pending = [arns[t] for t in arns if t not in out]
                raise TimeoutError(f"exports still running after {args.export_timeout_minutes} min: {', '.join(pending)}; "
                                   "re-run later with --export-mode existing to curate them once complete")
            sleep(30)
    return out


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The job's arguments (unknown ones, such as those Glue adds, are ignored)."""
    p = job_parser(JOB_NAME, __doc__.split("\n\n")[0], "dynamodb/")
    p.add_argument("--tables", default="", help="comma-separated table ids (or dataset names); default: all five")
    p.add_argument("--export-mode", choices=["existing", "start"], default="existing",
                   help="existing: curate the newest complete export in the raw zone (twin, default); "
                        "start: ExportTableToPointInTime now, wait, then curate it (AWS)")
    p.add_argument("--table-prefix", default="", help="start mode: physical table name prefix, e.g. ecom-dev")
    p.add_argument("--export-bucket", default="", help="start mode: bucket of the export (default: --raw-root's)")
    p.add_argument("--kms-key-arn", default="", help="start mode: KMS key of the export objects (S3SseAlgorithm KMS)")
    p.add_argument("--export-timeout-minutes", type=int, default=120, help="start mode: how long to wait")
    p.add_argument("--export-interval-hours", type=float, default=0,
                   help="start mode: export a table only when its newest export is older than this (0: always)")
    return parse_job_args(p, argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Read arguments, curate the exports, write the run report, then the state and the latest record."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = args.run_id
    tables = [t.strip() for t in args.tables.split(",") if t.strip()]
    datasets = select_tables(load_document_datasets(), tables)
    exports = None
    if args.export_mode == "start":  # pragma: no cover - AWS only
        exports = start_exports(args, datasets)
    report, state, latest = run(None, args.raw_root, args.curated_root, run_id, tables, exports=exports)
    report["export_mode"] = args.export_mode
    finish_run(JOB_NAME, args, report)
    raw_files.write_text(state_path(args.curated_root, "exports.json"), json.dumps(state, indent=1, sort_keys=True))
    raw_files.write_text(state_path(args.curated_root, "latest.json"), json.dumps(latest, indent=1, sort_keys=True))
    return report


if __name__ == "__main__":
    main()
