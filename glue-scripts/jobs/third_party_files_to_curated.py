"""Glue job: third-party files -> curated Parquet.

Reads the new files the ad platforms and the payment provider drop into the raw zone
(``third-party/<feed>/received_date=<d>/<file>``, CSV with a header row or JSON Lines, optionally
gzip), checks each file can be read and (CSV) that its header has every column the contract
requires, parses and casts each row to the contract's types, quarantines what fails with a reason,
deduplicates by the dataset's natural key (``contracts/datasets.json`` ``file_datasets``: first wins
for settlements, newest file wins for campaign spend), applies the quality gates per partition
(key completeness, ranges, key uniqueness, and references to curated dimensions where they exist),
and writes ``curated/<dataset>/<partition>=<d>/``.

Every transform below is a pure DataFrame -> DataFrame function; ``main()`` reads arguments and does
the I/O. See docs/glue-jobs.md.

Run locally:  .venv/bin/python glue-scripts/jobs/third_party_files_to_curated.py --raw-root R --curated-root C
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import reduce
from typing import Any

if __package__ in (None, ""):  # run as a script: make glue-scripts/ importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.utils import AnalysisException

from common import drop_files, raw_files
from common.contract_rules import CORRUPT, ContractRules, Rule
from common.datasets import lineage_fields, quarantine_struct
from common.file_datasets import FileDataset, Reference, load_file_datasets, select_feeds
from common.spark import session as spark_session
from common.job_run import finish_run, job_parser, parse_job_args

JOB_NAME = "third_party_files_to_curated"

UNREADABLE_FILE = "UNREADABLE_FILE"
UNSUPPORTED_FILE_FORMAT = "UNSUPPORTED_FILE_FORMAT"
MISSING_COLUMN = "MISSING_COLUMN"
MALFORMED_JSON = "MALFORMED_JSON"
MALFORMED_CSV = "MALFORMED_CSV"
CONTRACT_VIOLATION = "CONTRACT_VIOLATION"
QUALITY_GATE = "QUALITY_GATE"

PUBLISHED, QUARANTINED, DEDUPLICATED = "published", "quarantined", "deduplicated"

PERMISSIVE = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT}
# RFC 4180: comma separated, double quotes, a quote inside a quoted field doubled.
CSV_OPTIONS = {"sep": ",", "quote": '"', "escape": '"', **PERMISSIVE}
JSON_OBJECT_PROBE = T.StructType([T.StructField("_probe", T.StringType()), T.StructField(CORRUPT, T.StringType())])
MONEY_TEXT = r"^[0-9]{1,9}(\.[0-9]{1,4})?$"  # common.schema.json Money (string form)
MAX_VALUE_IN_REASON = 60

LINES_SCHEMA = T.StructType([T.StructField("raw_line", T.StringType()), T.StructField("_source_file", T.StringType())])
FILES_SCHEMA = T.StructType(
    [
        T.StructField("_source_file", T.StringType()),
        T.StructField("_format", T.StringType()),
        T.StructField("_file_reason_code", T.StringType()),
        T.StructField("_file_reason", T.StringType()),
    ]
)
FAILURES_SCHEMA = T.StructType(
    [T.StructField("_partition", T.StringType()), T.StructField("rule", T.StringType()),
     T.StructField("failed_rows", T.LongType())]
)


# --------------------------------------------------------------------------------------------------
# Pure transforms
# --------------------------------------------------------------------------------------------------


def source_key(file_uri: Column) -> Column:
    """The raw object key (``third-party/<feed>/...``) of a file URI as Spark reports it, so that
    ``_source_file`` is the same in the twin and on S3."""
    return F.regexp_extract(file_uri, rf"({drop_files.THIRD_PARTY_PREFIX}/.*)$", 1)


def data_lines(lines: DataFrame, headers: DataFrame) -> DataFrame:
    """The records of the raw lines: blank lines dropped, and each CSV file's header line (``headers``:
    ``_source_file``, ``raw_line``) dropped from that file."""
    kept = lines.where(F.trim(F.col("raw_line")) != "")
    return kept.join(headers.select("_source_file", "raw_line"), ["_source_file", "raw_line"], "left_anti")


def header_problems(columns: list[str], rules: ContractRules) -> tuple[list[str], list[str]]:
    """(required columns missing, columns the contract does not know) of a CSV header."""
    missing = [c for c in rules.required if c not in columns]
    extra = [c for c in columns if c not in rules.columns]
    return missing, extra


def _shown(value: Column) -> Column:
    """A value quoted for a reason, cut to a readable length."""
    cut = F.when(F.length(value) > MAX_VALUE_IN_REASON, F.concat(F.substring(value, 1, MAX_VALUE_IN_REASON), F.lit("...")))
    return F.concat(F.lit("'"), F.coalesce(cut, value), F.lit("'"))


def _non_empty(reasons: Column) -> Column:
    """Null for an empty reason list, so that joining lists adds no empty part."""
    return F.when(reasons != "", reasons)


def _cast_text(text: Column, dtype: T.DataType, name: str) -> tuple[Column, Column]:
    """(typed value, reason when the text does not cast) of one CSV field; empty text is null."""
    value = F.when(F.trim(text) != "", F.trim(text))
    if isinstance(dtype, T.StringType):
        return value, F.lit(None).cast("string")
    if isinstance(dtype, T.LongType):
        ok = value.rlike(r"^[+-]?[0-9]{1,18}$")
        what = "a whole number"
        typed = F.when(ok, value.cast("long"))
    elif isinstance(dtype, T.DoubleType):
        typed = value.cast("double")
        ok = typed.isNotNull()
        what = "a number"
    elif isinstance(dtype, T.DecimalType):
        ok = value.rlike(MONEY_TEXT)
        what = "an amount (digits, '.', at most 4 decimals, not negative)"
        typed = F.when(ok, value.cast(dtype))
    elif isinstance(dtype, T.DateType):
        typed = F.when(value.rlike(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), value.cast("date"))
        ok = typed.isNotNull()
        what = "a date YYYY-MM-DD"
    elif isinstance(dtype, T.BooleanType):
        ok = F.lower(value).isin("true", "false")
        typed = F.when(ok, F.lower(value) == "true")
        what = "true or false"
    else:
        raise ValueError(
            f"Contract field {name} has type {dtype.simpleString()}, which a CSV column cannot carry; "
            "the feed must be sent as JSON Lines (set its formats in contracts/datasets.json)."
        )
    reason = F.when(value.isNotNull() & ~ok, F.concat(F.lit(f"{name} "), _shown(value), F.lit(f" is not {what}")))
    return typed, reason


def parse_csv(lines: DataFrame, columns: list[str], rules: ContractRules) -> DataFrame:
    """CSV lines of files whose header is ``columns``, cast to the contract's types.

    Output: the contract's columns (top-level date-times still text), ``raw_line``, ``_source_file``,
    ``_reason_code`` (MALFORMED_CSV for a row whose field count differs from the header's, else null)
    and ``_violations``: every cast failure and broken contract rule joined by '; ' (empty when valid).
    Columns the contract does not know are ignored; optional contract columns absent from the header
    are null.
    """
    positional = T.StructType(
        [T.StructField(f"_c{i}", T.StringType()) for i in range(len(columns))] + [T.StructField(CORRUPT, T.StringType())]
    )
    fields = F.from_csv(F.col("raw_line"), positional.simpleString(), CSV_OPTIONS)
    parsed = lines.select("raw_line", "_source_file", fields.alias("p"))
    position = {c: i for i, c in reversed(list(enumerate(columns)))}  # a repeated column: the first one
    typed, reasons, texts = [], [], {}
    for f in rules.parse_struct().fields:
        if f.name == CORRUPT:
            continue
        text = F.col(f"p._c{position[f.name]}") if f.name in position else F.lit(None).cast("string")
        texts[f.name] = F.when(F.trim(text) != "", text)
        value, reason = _cast_text(text, f.dataType, f.name)
        typed.append(value.alias(f.name))
        reasons.append(reason)
    missing = [F.when(texts[n].isNull(), F.lit(f"required field {n} is missing or empty")) for n in rules.required]
    rows = parsed.select(
        "raw_line",
        "_source_file",
        *typed,
        F.col(f"p.{CORRUPT}").isNotNull().alias("_malformed"),
        F.concat_ws("; ", *missing, *reasons).alias("_cast_violations"),
    )
    checks = [F.when(r.violated(), F.lit(r.reason)) for r in rules.text_rules() + rules.range_rules()]
    return rows.select(
        *rules.columns,
        "raw_line",
        "_source_file",
        F.when(F.col("_malformed"), F.lit(MALFORMED_CSV)).alias("_reason_code"),
        F.when(
            F.col("_malformed"),
            F.lit(f"row does not have the header's {len(columns)} fields (check the quoting: RFC 4180, "
                  "a field with a comma, quote or line break must be quoted)"),
        ).otherwise(F.concat_ws("; ", _non_empty(F.col("_cast_violations")), *checks)).alias("_violations"),
    )


def parse_json(lines: DataFrame, rules: ContractRules) -> DataFrame:
    """JSON Lines parsed with the contract's Spark schema; the same output as :func:`parse_csv`
    (``_reason_code`` MALFORMED_JSON for a line that is not a JSON object). Dates are read as text and
    cast like a CSV field (Spark's JSON date parser fails the whole job on some malformed dates)."""
    probe = F.from_json(F.col("raw_line"), JSON_OBJECT_PROBE, PERMISSIVE)
    malformed = probe.isNull() | probe.getField(CORRUPT).isNotNull()
    struct = rules.parse_struct()
    dates = [f.name for f in struct.fields if isinstance(f.dataType, T.DateType)]
    as_text = T.StructType([T.StructField(f.name, T.StringType()) if f.name in dates else f for f in struct.fields])
    parsed = lines.select(
        "raw_line", "_source_file", malformed.alias("_malformed"),
        F.from_json(F.col("raw_line"), as_text, PERMISSIVE).alias("p"),
    ).select("raw_line", "_source_file", "_malformed", "p.*")
    casts = {n: _cast_text(F.col(n), T.DateType(), n) for n in dates}
    return parsed.select(
        *[casts[c][0].alias(c) if c in casts else F.col(c) for c in rules.columns],
        "raw_line",
        "_source_file",
        F.when(F.col("_malformed"), F.lit(MALFORMED_JSON)).alias("_reason_code"),
        F.when(F.col("_malformed"), F.lit("line is not a JSON object"))
        .otherwise(F.concat_ws("; ", _non_empty(rules.violation_reason(F.col("raw_line"))), *[r for _, r in casts.values()]))
        .alias("_violations"),
    )


def partition_value(ds: FileDataset, rules: ContractRules) -> Column:
    """The curated partition of a row: the contract's date column itself (``spend_date``), or
    ``YYYY-MM-DD`` in UTC of the first date-time of the contract (``settled_at`` -> ``settled_date``)."""
    if ds.partition_key in rules.columns:
        return F.col(ds.partition_key)
    utc = F.to_utc_timestamp(F.col(rules.timestamp_fields[0]), F.expr("current_timezone()"))
    return F.date_format(utc, "yyyy-MM-dd")


def conform(rows: DataFrame, ds: FileDataset, rules: ContractRules) -> DataFrame:
    """Typed rows: top-level date-times to UTC timestamps, the partition column, and ``_valid`` (the row
    broke no rule)."""
    out = rows
    for name in rules.timestamp_fields:
        out = out.withColumn(name, F.to_timestamp(F.col(name)))
    valid = F.col("_reason_code").isNull() & (F.col("_violations") == "")
    return out.withColumn(ds.partition_key, partition_value(ds, rules)).withColumn("_valid", valid)


def mark_superseded_in_run(rows: DataFrame, ds: FileDataset) -> DataFrame:
    """Adds ``_dup_in_run``: true for every valid copy of a key but the one kept. first_wins keeps the
    copy of the first file (keys sort by received_date, then file name), newest_wins the copy of the
    last; ties within one file are broken by the line's text, so the choice is deterministic."""
    order = [F.col("_source_file"), F.col("raw_line")]
    if ds.dedupe == "newest_wins":
        order = [c.desc() for c in order]
    w = Window.partitionBy("_valid", *ds.key).orderBy(*order)
    return rows.withColumn("_dup_in_run", F.col("_valid") & (F.row_number().over(w) > 1))


def _same_values(columns: list[str], prefix: str) -> Column:
    return reduce(lambda a, b: a & b, [F.col(c).eqNullSafe(F.col(prefix + c)) for c in columns])


def mark_against_curated(rows: DataFrame, curated: DataFrame, ds: FileDataset, rules: ContractRules) -> DataFrame:
    """Adds ``_dup_curated`` (the key is already curated and this valid row changes nothing) and
    ``_correction`` (newest_wins only: the key is curated from an older or the same file with other
    values; this row replaces it). ``curated`` holds the curated rows of the partitions the run touches."""
    cols = list(ds.key) if ds.dedupe == "first_wins" else rules.columns + ["_source_file"]
    cur = curated.select(*[F.col(c).alias(f"_cur_{c}") for c in cols])
    if ds.dedupe == "first_wins":
        cur = cur.distinct()
    cond = reduce(lambda a, b: a & b, [rows[k].eqNullSafe(cur[f"_cur_{k}"]) for k in ds.key])
    joined = rows.join(cur, cond, "left")
    found = F.col("_valid") & F.col(f"_cur_{ds.key[0]}").isNotNull()
    if ds.dedupe == "first_wins":
        return joined.select(*rows.columns, found.alias("_dup_curated"), F.lit(False).alias("_correction"))
    older_than_curated = F.col("_source_file") < F.col("_cur__source_file")
    same = _same_values(rules.columns, "_cur_")
    return joined.select(
        *rows.columns,
        (found & (older_than_curated | same)).alias("_dup_curated"),
        (found & ~older_than_curated & ~same).alias("_correction"),
    )


def reference_flags(rows: DataFrame, refs: dict[Reference, DataFrame]) -> DataFrame:
    """Adds ``_ref_<column>`` for each reference checked: true when the row's value is not in the
    dimension's keys (``refs`` maps a reference to a DataFrame with one column, ``key``)."""
    out = rows
    for ref, keys in refs.items():
        k = F.broadcast(keys.select(F.col("key").alias(f"_refkey_{ref.column}")).distinct())
        out = out.join(k, out[ref.column] == k[f"_refkey_{ref.column}"], "left")
        out = out.withColumn(
            f"_ref_{ref.column}", F.col(ref.column).isNotNull() & F.col(f"_refkey_{ref.column}").isNull()
        ).drop(f"_refkey_{ref.column}")
    return out


def mark(
    parsed: DataFrame, ds: FileDataset, rules: ContractRules, curated: DataFrame, refs: dict[Reference, DataFrame]
) -> DataFrame:
    """Every parsed row, conformed, with its dedupe and reference flags (one linear plan: a window and
    two joins)."""
    marked = mark_against_curated(mark_superseded_in_run(conform(parsed, ds, rules), ds), curated, ds, rules)
    return reference_flags(marked, refs)


def candidates(marked: DataFrame) -> DataFrame:
    """The rows that would be published if their partition passes its gate."""
    return marked.where(F.col("_valid") & ~F.col("_dup_in_run") & ~F.col("_dup_curated"))


def gate_rules(rules: ContractRules, refs: list[Reference]) -> list[Rule]:
    """The quality gate of a curated file dataset: key completeness (every required field), valid
    ranges (from the contract) and references to curated dimensions; key uniqueness is checked by
    :func:`gate_failures`."""
    ref_rules = [
        Rule(f"reference:{r.column}->{r.dataset}", f"{r.column} is not in curated/{r.dataset}",
             lambda r=r: F.col(f"_ref_{r.column}"))
        for r in refs
    ]
    return rules.required_rules() + rules.range_rules() + ref_rules


def gate_failures(rows: DataFrame, ds: FileDataset, rules: ContractRules, refs: list[Reference]) -> DataFrame:
    """Per partition of ``rows`` (the candidates), the gate rules that fail: columns ``_partition``,
    ``rule``, ``failed_rows``."""
    checks = gate_rules(rules, refs)
    key = F.concat_ws("|", *[F.col(k).cast("string") for k in ds.key])
    aggs = [F.sum(F.when(r.violated(), 1).otherwise(0)).alias(f"_r{i}") for i, r in enumerate(checks)]
    aggs.append((F.count(key) - F.countDistinct(key)).alias(f"_r{len(checks)}"))
    names = [r.name for r in checks] + [f"unique:{'+'.join(ds.key)}"]
    per_partition = rows.groupBy(F.col(ds.partition_key).cast("string").alias("_partition")).agg(*aggs)
    long = per_partition.select(
        "_partition",
        F.explode(F.array(*[F.struct(F.lit(n).alias("rule"), F.col(f"_r{i}").cast("long").alias("failed_rows"))
                            for i, n in enumerate(names)])).alias("g"),
    ).select("_partition", "g.rule", "g.failed_rows")
    return long.where(F.col("failed_rows") > 0)


def decide(marked: DataFrame, failures: DataFrame, file_rows: DataFrame, ds: FileDataset, refs: list[Reference]) -> DataFrame:
    """What becomes of every row read: ``_outcome`` (published, quarantined, deduplicated), ``_reason_code``,
    ``_reason``, ``_correction``, the curated columns and ``raw_line``. ``file_rows`` are the rows refused
    as a whole file (``raw_line``, ``_source_file``, ``_reason_code``, ``_reason``)."""
    why = F.broadcast(failures.groupBy("_partition").agg(
        F.concat(
            F.lit(f"partition {ds.partition_key}="), F.first("_partition"), F.lit(" failed its quality gate: "),
            F.concat_ws(", ", F.sort_array(F.collect_list(
                F.concat(F.col("rule"), F.lit(" ("), F.col("failed_rows").cast("string"), F.lit(" rows)"))
            ))),
        ).alias("_gate_reason")
    ))
    rows = marked.withColumn("_partition", F.col(ds.partition_key).cast("string")).join(why, "_partition", "left")
    dup = F.col("_dup_in_run") | F.col("_dup_curated")
    gate = F.col("_gate_reason").isNotNull()
    kept_by = "the first file" if ds.dedupe == "first_wins" else "the newest file"
    decided = rows.select(
        "*",
        F.when(~F.col("_valid"), F.lit(QUARANTINED)).when(dup, F.lit(DEDUPLICATED)).when(gate, F.lit(QUARANTINED))
        .otherwise(F.lit(PUBLISHED)).alias("_outcome"),
        F.when(~F.col("_valid"), F.coalesce(F.col("_reason_code"), F.lit(CONTRACT_VIOLATION)))
        .when(dup, F.lit(None)).when(gate, F.lit(QUALITY_GATE)).alias("_code"),
        F.when(~F.col("_valid"), F.col("_violations"))
        .when(F.col("_dup_in_run"), F.lit(f"key {'+'.join(ds.key)} repeated in the run; kept the copy of {kept_by}"))
        .when(dup, F.lit("key already curated from a newer file or with the same values"))
        .when(gate, F.col("_gate_reason")).alias("_why"),
    )
    drop = ["_partition", "_gate_reason", "_violations", "_reason_code", "_valid", "_dup_in_run", "_dup_curated"]
    decided = decided.drop(*drop, *[f"_ref_{r.column}" for r in refs])
    decided = decided.withColumnsRenamed({"_code": "_reason_code", "_why": "_reason"})
    decided = decided.withColumn("_correction", F.col("_correction") & (F.col("_outcome") == PUBLISHED))
    bad_files = file_rows.withColumns({"_outcome": F.lit(QUARANTINED), "_correction": F.lit(False)})
    return decided.unionByName(bad_files, allowMissingColumns=True)


@dataclass
class Curation:
    """What becomes of every row read for one dataset (see :func:`decide`) and the failed gates."""

    outcomes: DataFrame
    gate_failures: DataFrame


def curate(
    parsed: DataFrame,
    file_rows: DataFrame,
    ds: FileDataset,
    rules: ContractRules,
    curated: DataFrame,
    refs: dict[Reference, DataFrame],
) -> Curation:
    """Every row read for ``ds``, with what becomes of it. Pure: no reads or writes (the job materializes
    the marked rows in between; see ``curate_feed``).

    ``parsed``: the output of parse_csv / parse_json; ``file_rows``: rows refused as a whole file;
    ``curated``: the curated rows of the partitions the run touches; ``refs``: the dimensions to check.
    """
    marked = mark(parsed, ds, rules, curated, refs)
    failures = gate_failures(candidates(marked), ds, rules, list(refs))
    return Curation(decide(marked, failures, file_rows, ds, list(refs)), failures)


def curated_columns(ds: FileDataset, rules: ContractRules) -> list[str]:
    """The published column order: the contract's columns, the lineage columns, then the partition key."""
    lineage = [f.name for f in lineage_fields()]
    return [c for c in rules.columns if c != ds.partition_key] + lineage + [ds.partition_key]


def curated_schema(ds: FileDataset, rules: ContractRules) -> T.StructType:
    """The Spark schema of ``curated/<dataset>/`` (nullable, as Parquet reads it back)."""
    types = {f.name: f.dataType for f in rules.struct.fields} | {f.name: f.dataType for f in lineage_fields()}
    types.setdefault(ds.partition_key, T.StringType())
    return T.StructType([T.StructField(c, types[c]) for c in curated_columns(ds, rules)])


def published_rows(outcomes: DataFrame, ds: FileDataset, rules: ContractRules, curated_at: datetime) -> DataFrame:
    """The rows to publish, in the curated shape."""
    rows = outcomes.where(F.col("_outcome") == PUBLISHED).withColumn(
        "_curated_at", F.lit(curated_at).cast("timestamp")
    )
    return rows.select(*curated_columns(ds, rules))


def merged_partitions(curated: DataFrame, published: DataFrame, ds: FileDataset, rules: ContractRules) -> DataFrame:
    """newest_wins: the full content of the partitions that get published rows: their curated rows
    whose key is not republished, plus the published rows (which replace the corrected ones)."""
    parts = published.select(ds.partition_key).distinct()
    kept = curated.join(parts, ds.partition_key, "left_semi").join(published.select(*ds.key), list(ds.key), "left_anti")
    return kept.select(*curated_columns(ds, rules)).unionByName(published)


def quarantine_rows(rows: DataFrame, dataset: str, run_id: str) -> DataFrame:
    """Rows in the quarantine shape of contracts/datasets.json (dataset, reason_code, reason, raw_line,
    _source_file, run_id)."""
    cols = {
        "dataset": F.lit(dataset),
        "reason_code": F.col("_reason_code"),
        "reason": F.col("_reason"),
        "raw_line": F.col("raw_line"),
        "_source_file": F.col("_source_file"),
        "run_id": F.lit(run_id),
    }
    return rows.select(*[cols[f.name].cast(f.dataType).alias(f.name) for f in quarantine_struct().fields])


def quarantined_rows(outcomes: DataFrame, dataset: str, run_id: str) -> DataFrame:
    """The rows to write to ``quarantine/<dataset>/run_id=<run>/``."""
    return quarantine_rows(outcomes.where(F.col("_outcome") == QUARANTINED), dataset, run_id)


# --------------------------------------------------------------------------------------------------
# I/O edge
# --------------------------------------------------------------------------------------------------


@dataclass
class FileCheck:
    """What the driver found about one new file of a feed before Spark reads it."""

    key: str
    format: str | None
    reason_code: str | None = None  # a whole-file problem: UNREADABLE_FILE, UNSUPPORTED_FILE_FORMAT, MISSING_COLUMN
    reason: str | None = None
    header: str | None = None  # CSV: the header line as in the file
    columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)

    @property
    def read_by_spark(self) -> bool:
        """Spark reads its lines (a MISSING_COLUMN file is read so that every row is quarantined)."""
        return self.reason_code in (None, MISSING_COLUMN)


def check_file(raw_root: str, key: str, ds: FileDataset, rules: ContractRules) -> FileCheck:
    """Readability, format and (CSV) header of one new file."""
    fmt = drop_files.file_format(key)
    allowed = {f if f == "csv" else "json" for f in ds.formats}
    if fmt not in allowed:
        return FileCheck(key, fmt, UNSUPPORTED_FILE_FORMAT,
                         f"file {key}: the name must end in {', '.join('.' + f for f in ds.formats)} (optionally .gz) "
                         f"for feed {ds.feed}; rename it and deliver it again")
    path = raw_files.join(raw_root, key)
    why = raw_files.unreadable_reason(path)
    if why:
        return FileCheck(key, fmt, UNREADABLE_FILE, f"file {key}: {why}; deliver it again (complete, UTF-8)")
    if fmt != "csv":
        return FileCheck(key, fmt)
    header = drop_files.first_line(path)
    if header is None:  # an empty file: no header, no rows
        return FileCheck(key, fmt)
    columns = drop_files.header_columns(header)
    missing, extra = header_problems(columns, rules)
    if missing:
        return FileCheck(
            key, fmt, MISSING_COLUMN,
            f"file {key} has no column {', '.join(missing)} (required by contract {ds.contract}); its header is "
            f"'{header.lstrip(chr(0xFEFF))[:200]}'. Add the column(s) and deliver the file again",
            header, columns, extra,
        )
    return FileCheck(key, fmt, None, None, header, columns, extra)


def read_lines(spark: SparkSession, raw_root: str, keys: list[str]) -> DataFrame:
    """The lines of the files (``.gz`` decompressed by Spark) with their object key."""
    if not keys:
        return spark.createDataFrame([], LINES_SCHEMA)
    df = spark.read.text([raw_files.join(raw_root, k) for k in keys])
    return df.select(F.col("value").alias("raw_line"), source_key(F.input_file_name()).alias("_source_file"))


def read_curated(spark: SparkSession, path: str, schema: T.StructType, partition_key: str, values: list[str]) -> DataFrame:
    """The curated rows of the given partitions (empty when the dataset has none yet)."""
    empty = spark.createDataFrame([], schema)
    if not values:
        return empty
    try:
        df = spark.read.schema(schema).parquet(path)
    except AnalysisException as err:
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err):
            return empty
        raise
    return df.where(F.col(partition_key).cast("string").isin(values))


def read_reference(spark: SparkSession, curated_root: str, ref: Reference) -> tuple[DataFrame | None, str]:
    """The keys of a curated dimension (one column, ``key``), or None and why the check is skipped."""
    path = raw_files.join(curated_root, "curated", ref.dataset)
    try:
        df = spark.read.parquet(path)
    except AnalysisException as err:
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err) or "UNABLE_TO_INFER_SCHEMA" in str(err):
            return None, f"skipped: curated/{ref.dataset}/ not found"
        raise
    if ref.key not in df.columns:
        raise ValueError(
            f"curated/{ref.dataset}/ has no column {ref.key} (columns: {', '.join(df.columns)}); fix the reference "
            "of contracts/datasets.json file_datasets or the dimension's job."
        )
    keys = df.select(F.col(ref.key).cast("string").alias("key")).distinct().localCheckpoint()
    return keys, f"checked against curated/{ref.dataset}/ ({keys.count()} keys)"


class ReconciliationError(RuntimeError):
    """Rows read do not equal rows written + quarantined + deduplicated."""


def _files_frame(spark: SparkSession, checks: list[FileCheck]) -> DataFrame:
    return spark.createDataFrame([(c.key, c.format, c.reason_code, c.reason) for c in checks], FILES_SCHEMA)


def empty_entry(ds: FileDataset, checks: list[FileCheck]) -> dict[str, Any]:
    """The report entry of a dataset before any row is counted."""
    return {
        "read": 0, "written": 0, "corrected": 0, "deduplicated": 0, "quarantined": {}, "partitions_written": [],
        "dedupe": ds.dedupe, "gates": {"passed": [], "failed": {}, "references": {}},
        "files": {
            "new": len(checks),
            "quarantined_whole": {c.key: c.reason_code for c in checks if c.reason_code},
            "extra_columns_ignored": {c.key: c.extra_columns for c in checks if c.extra_columns},
        },
        "reconciled": True,
    }


def curate_feed(
    spark: SparkSession, ds: FileDataset, checks: list[FileCheck], lines: DataFrame, curated_root: str,
    run_id: str, curated_at: datetime,
) -> dict[str, Any]:
    """Curate one feed's new files (``lines``: the lines of the files Spark read), write curated and
    quarantine rows, and return the dataset's report entry."""
    entry = empty_entry(ds, checks)
    if not checks:  # nothing new: no Spark work at all
        return entry
    rules = ContractRules(ds.contract)
    files = _files_frame(spark, checks)
    # Spark's text reader drops a UTF-8 byte order mark; the header line is matched with and without it.
    header_lines = {(c.header.lstrip("\ufeff"), c.key) for c in checks if c.header is not None}
    headers = spark.createDataFrame(sorted(header_lines | {(c.header, c.key) for c in checks if c.header}), LINES_SCHEMA)
    records = data_lines(lines, headers).join(files, "_source_file").localCheckpoint()
    # Rows read, counted from the input and independently of the outcomes: every data line of the files
    # Spark read, plus one per file that was not read (unreadable, unsupported format).
    entry["read"] = _expected_read(records, checks)
    # rows of whole-file problems: every line of a MISSING_COLUMN file, one row (no line) per file not read
    file_rows = records.where(F.col("_file_reason_code").isNotNull()).select(
        "raw_line", "_source_file", F.col("_file_reason_code").alias("_reason_code"), F.col("_file_reason").alias("_reason")
    ).unionByName(
        files.where(F.col("_file_reason_code").isin(UNREADABLE_FILE, UNSUPPORTED_FILE_FORMAT)).select(
            F.lit(None).cast("string").alias("raw_line"), "_source_file",
            F.col("_file_reason_code").alias("_reason_code"), F.col("_file_reason").alias("_reason"),
        )
    )
    good = records.where(F.col("_file_reason_code").isNull())
    parts = [parse_json(good.where(F.col("_format") == "json").select(*LINES_SCHEMA.fieldNames()), rules)]
    by_header: dict[tuple[str, ...], list[str]] = {}
    for c in checks:
        if c.format == "csv" and c.reason_code is None and c.header is not None:
            by_header.setdefault(tuple(c.columns), []).append(c.key)
    for columns, keys in sorted(by_header.items()):
        group = good.where(F.col("_source_file").isin(keys)).select(*LINES_SCHEMA.fieldNames())
        parts.append(parse_csv(group, list(columns), rules))
    parsed = reduce(DataFrame.unionByName, parts).localCheckpoint()  # materialized: a small plan below

    valid = conform(parsed, ds, rules).where(F.col("_valid"))
    touched = sorted(str(r[0]) for r in valid.select(ds.partition_key).distinct().collect() if r[0] is not None)
    curated_path = raw_files.join(curated_root, "curated", ds.name)
    # Materialized before anything is written: a lazy read of curated/ would see this run's own writes.
    curated = read_curated(spark, curated_path, curated_schema(ds, rules), ds.partition_key, touched).localCheckpoint()
    refs: dict[Reference, DataFrame] = {}
    for ref in ds.references:
        keys, note = read_reference(spark, curated_root, ref) if touched else (None, "no rows to check")
        entry["gates"]["references"][ref.column] = note
        if keys is not None:
            refs[ref] = keys
    marked = mark(parsed, ds, rules, curated, refs).localCheckpoint()
    failures = gate_failures(candidates(marked), ds, rules, list(refs)).collect()
    failure_rows = spark.createDataFrame(failures, FAILURES_SCHEMA)
    outcomes = decide(marked, failure_rows, file_rows, ds, list(refs)).localCheckpoint()

    part = F.when(F.col("_outcome") == PUBLISHED, F.col(ds.partition_key).cast("string"))
    summary = outcomes.groupBy("_outcome", "_reason_code", "_correction", part.alias("_p")).count().collect()
    entry["written"] = sum(r["count"] for r in summary if r["_outcome"] == PUBLISHED)
    entry["corrected"] = sum(r["count"] for r in summary if r["_outcome"] == PUBLISHED and r["_correction"])
    entry["deduplicated"] = sum(r["count"] for r in summary if r["_outcome"] == DEDUPLICATED)
    quarantined: dict[str, int] = {}
    for r in summary:
        if r["_outcome"] == QUARANTINED:
            quarantined[r["_reason_code"]] = quarantined.get(r["_reason_code"], 0) + r["count"]
    entry["quarantined"] = dict(sorted(quarantined.items()))
    entry["partitions_written"] = sorted({r["_p"] for r in summary if r["_outcome"] == PUBLISHED})
    if entry["written"]:
        published = published_rows(outcomes, ds, rules, curated_at)
        writer_df, mode = published, "append"
        if entry["corrected"]:  # newest_wins: rewrite the partitions whose rows are replaced
            writer_df, mode = merged_partitions(curated, published, ds, rules).localCheckpoint(), "overwrite"
        (writer_df.write.mode(mode).option("partitionOverwriteMode", "dynamic")
         .partitionBy(ds.partition_key).parquet(curated_path))
    if entry["quarantined"]:
        quarantined_rows(outcomes, ds.name, run_id).write.mode("append").partitionBy("run_id").parquet(
            raw_files.join(curated_root, "quarantine", ds.name)
        )
    failed: dict[str, list[str]] = {}
    for f in failures:
        failed.setdefault(f["_partition"], []).append(f"{f['rule']} ({f['failed_rows']} rows)")
    entry["gates"]["passed"] = entry["partitions_written"]  # every partition published passed its gate
    entry["gates"]["failed"] = {p: sorted(v) for p, v in sorted(failed.items())}
    accounted = entry["written"] + sum(entry["quarantined"].values()) + entry["deduplicated"]
    entry["reconciled"] = accounted == entry["read"]
    return entry


def _expected_read(records: DataFrame, checks: list[FileCheck]) -> int:
    """Rows read: the data lines of the files Spark read (``records``), plus one per file not read."""
    return records.count() + sum(1 for c in checks if not c.read_by_spark)


def run(
    spark: SparkSession,
    raw_root: str,
    curated_root: str,
    run_id: str,
    datasets: list[FileDataset],
    fresh: dict[str, list[raw_files.RawFile]],
    now: datetime | None = None,
) -> dict[str, Any]:
    """Curate the new files of each dataset's feed (``fresh``: feed -> new files) and return the run
    report; raises ReconciliationError when a dataset's rows do not reconcile."""
    curated_at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    report: dict[str, Any] = {
        "job": JOB_NAME, "run_id": run_id, "curated_at": curated_at.isoformat() + "Z",
        "raw_root": raw_root, "curated_root": curated_root, "datasets": {},
    }
    for ds in datasets:
        rules = ContractRules(ds.contract)
        checks = [check_file(raw_root, f.key, ds, rules) for f in fresh.get(ds.feed, [])]
        lines = read_lines(spark, raw_root, [c.key for c in checks if c.read_by_spark])
        report["datasets"][ds.name] = curate_feed(spark, ds, checks, lines, curated_root, run_id, curated_at)

    errors = [
        f"{name}: read {e['read']} != written {e['written']} + quarantined {sum(e['quarantined'].values())} "
        f"+ deduplicated {e['deduplicated']}"
        for name, e in report["datasets"].items() if not e["reconciled"]
    ]
    entries = report["datasets"].values()
    report["totals"] = {k: sum(e[k] for e in entries) for k in ("read", "written", "corrected", "deduplicated")}
    report["totals"]["quarantined"] = sum(sum(e["quarantined"].values()) for e in report["datasets"].values())
    report["reconciled"] = not errors
    if errors:
        raise ReconciliationError(
            "Row counts do not reconcile (read = written + quarantined + deduplicated): " + "; ".join(errors)
            + f". Run {run_id}: the files were NOT recorded as processed; fix the job and re-run."
        )
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The job's arguments (unknown ones, such as those Glue adds, are ignored)."""
    p = job_parser(JOB_NAME, __doc__.split("\n\n")[0], "third-party/")
    p.add_argument("--feeds", default="", help="comma-separated feeds (or dataset names); default: all")
    return parse_job_args(p, argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Read arguments, curate the new files, write the run report, record the files processed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = args.run_id
    datasets = select_feeds(load_file_datasets(), [n.strip() for n in args.feeds.split(",") if n.strip()])
    state_file = raw_files.join(args.curated_root, "_state", JOB_NAME, "processed_files.json")
    processed = raw_files.load_processed(state_file)
    fresh = {
        ds.feed: raw_files.new_files(drop_files.list_files(args.raw_root, [drop_files.feed_prefix(ds.feed)]), processed)
        for ds in datasets
    }
    spark = spark_session(JOB_NAME)
    report = run(spark, args.raw_root, args.curated_root, run_id, datasets, fresh)
    all_new = [f for files in fresh.values() for f in files]
    report["files"] = {
        "mode": "state", "new": len(all_new),
        "quarantined_whole": sorted(k for e in report["datasets"].values() for k in e["files"]["quarantined_whole"]),
    }
    finish_run(JOB_NAME, args, report)
    raw_files.write_text(state_file, raw_files.record_processed(processed, all_new, run_id))
    return report


if __name__ == "__main__":
    main()
