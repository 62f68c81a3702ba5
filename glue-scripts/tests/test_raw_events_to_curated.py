"""The raw -> curated job on a local SparkSession, over small fixtures holding every bad input the
issue lists: a truncated gzip, a line that is not JSON, a record invalid to its contract, a duplicate
across two files, a late event for an old date, an empty partition, an unknown schema_version."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from common import raw_files
from common.contract_rules import ContractRules, Rule
from common.datasets import load_datasets, select_datasets
from jobs import raw_events_to_curated as job

ORDERS = "events/stream=orders/event_date=2026-01-01"
CLICKS = "events/stream=clickstream/event_date=2026-01-01"
NOW = datetime(2026, 1, 6, 12, 0, 0)


def order(eid: str, order_id: str, when: str, **extra) -> dict:
    base = {"event_id": eid, "event_type": "order.created", "event_time": when, "schema_version": 1,
            "order_id": order_id, "customer_id": 7, "channel": "web", "currency": "EUR",
            "lines": [{"line_number": 1, "sku": "SKU-1", "product_id": 11, "quantity": 2, "unit_price": "12.5"}]}
    base.update(extra)
    return base


def review(eid: str, rating) -> dict:
    return {"event_id": eid, "event_type": "review.submitted", "event_time": "2026-01-01T09:00:00Z",
            "schema_version": 1, "review_id": 5, "product_id": 11, "customer_id": 7, "rating": rating,
            "review_date": "2026-01-01T08:00:00Z"}


GOOD_1 = order("evt-order-0001", "ORD-0001", "2026-01-01T10:00:00+02:00")  # 08:00 UTC, 2026-01-01
GOOD_2 = order("evt-order-0002", "ORD-0002", "2026-01-01T23:30:00-02:00",  # 01:30 UTC, 2026-01-02
               event_type="order.paid", lines=None, shipping_amount=4.99)
GOOD_3 = order("evt-order-0003", "ORD-0003", "2026-01-01T12:00:00Z")
LATE = order("evt-order-0004", "ORD-0004", "2025-12-31T22:00:00Z")
META = {"event_id": "evt-meta-0001", "event_type": "product.metadata_updated", "event_time": "2026-01-01T11:00:00Z",
        "schema_version": 1, "product_id": 11, "metadata": {"specifications": {"color": "red"}}}
BAD_QTY = order("evt-order-0005", "ORD-0005", "2026-01-01T10:00:00Z",
                lines=[{"line_number": 1, "sku": "SKU-1", "product_id": 11, "quantity": -1, "unit_price": 3}])
NO_ORDER_ID = {k: v for k, v in order("evt-order-0006", "x", "2026-01-01T10:00:00Z").items() if k != "order_id"}
BAD_TIME = order("evt-order-0007", "ORD-0007", "yesterday")
NO_OFFSET = order("evt-order-0010", "ORD-0010", "2026-01-01T10:00:00")
V2 = order("evt-order-0008", "ORD-0008", "2026-01-01T10:00:00Z", schema_version=2)
UNKNOWN = order("evt-order-0009", "ORD-0009", "2026-01-01T10:00:00Z", event_type="order.teleported")
WRONG_TYPE = order("evt-order-0011", "ORD-0011", "2026-01-01T10:00:00Z", customer_id="seven")


def line(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"))


def write(root: Path, key: str, text: str, gz: bool = False) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


def build_raw(root: Path) -> None:
    """The first batch of raw files: every bad input, across gzip and plain files."""
    write(root, f"{ORDERS}/a.jsonl", "\n".join([
        line(GOOD_1), line(GOOD_2), "not json {", line(UNKNOWN), line(V2), line(BAD_QTY),
        line(NO_ORDER_ID), line(BAD_TIME), line(NO_OFFSET), line(WRONG_TYPE), "", line(META),
    ]) + "\n")
    write(root, f"{ORDERS}/b.jsonl.gz", line(GOOD_1) + "\n" + line(GOOD_3) + "\n", gz=True)  # GOOD_1 again
    truncated = gzip.compress(((line(GOOD_3) + "\n") * 50).encode())[:40]
    (root / ORDERS / "c.jsonl.gz").write_bytes(truncated)
    (root / "events/stream=orders/event_date=2026-01-02").mkdir(parents=True)  # empty partition
    write(root, "events/stream=orders/event_date=2026-01-03/empty.jsonl", "")  # empty file
    write(root, f"{CLICKS}/r.jsonl", line(review("evt-review-001", 4.5)) + "\n" + line(review("evt-review-002", 7)) + "\n")


def lines_df(spark, docs: list, source: str = f"{ORDERS}/x.jsonl"):
    rows = [(d if isinstance(d, str) else line(d), source) for d in docs]
    return spark.createDataFrame(rows, job.LINES_SCHEMA)


def _key(row: tuple) -> tuple:
    return tuple("" if v is None else str(v) for v in row)


def srt(rows) -> list:
    """Rows sorted with None first (so that expected and actual lists compare)."""
    return sorted(rows, key=_key)


def rows_of(df, *cols):
    return srt(tuple(r[c] for c in cols) for r in df.collect())


DATASETS = load_datasets()


def test_classify_routes_lines_and_refuses_bad_envelopes(spark):
    df = lines_df(spark, [GOOD_1, META, "not json {", "[1, 2]", UNKNOWN, V2, {"schema_version": 1}])
    got = rows_of(job.classify(df, DATASETS), "_dataset", "_reason_code", "_reason")
    assert got == srt([
        ("order_events", None, None),
        ("product_metadata_events", None, None),
        ("_unrouted", "MALFORMED_JSON", "line is not a JSON object"),
        ("_unrouted", "MALFORMED_JSON", "line is not a JSON object"),
        ("_unrouted", "UNKNOWN_EVENT_TYPE",
         "event_type 'order.teleported' is not routed to any dataset (contracts/datasets.json)"),
        ("order_events", "UNSUPPORTED_SCHEMA_VERSION", "schema_version 2 is not supported (supported: 1)"),
        ("_unrouted", "UNKNOWN_EVENT_TYPE", "event_type is missing"),
    ])


def _curate(spark, docs, dataset="order_events", curated_ids=None):
    ds = next(d for d in DATASETS if d.name == dataset)
    rules = ContractRules(ds.contract)
    classified = job.classify(lines_df(spark, docs), DATASETS)
    ids = curated_ids if curated_ids is not None else spark.createDataFrame([], "event_id string")
    parsed = job.parse_contract(classified, ds, rules).localCheckpoint()
    return job.curate_dataset(classified, ds, rules, ids, parsed), rules


def test_contract_violations_are_quarantined_naming_the_field(spark):
    cur, _ = _curate(spark, [GOOD_1, BAD_QTY, NO_ORDER_ID, BAD_TIME, NO_OFFSET, WRONG_TYPE, V2])
    q = job.quarantined_rows(cur.outcomes, "order_events", "run-1")
    got = {json.loads(r["raw_line"])["event_id"]: (r["reason_code"], r["reason"]) for r in q.collect()}
    assert got == {
        "evt-order-0005": ("CONTRACT_VIOLATION", "lines[].quantity is outside [1, 10000]"),
        "evt-order-0006": ("CONTRACT_VIOLATION", "required field order_id is missing or null"),
        "evt-order-0007": ("CONTRACT_VIOLATION", "event_time is not an RFC 3339 date-time with an offset"),
        "evt-order-0010": ("CONTRACT_VIOLATION", "event_time is not an RFC 3339 date-time with an offset"),
        "evt-order-0011": ("CONTRACT_VIOLATION", "wrong JSON type for the contract in: customer_id"),
        "evt-order-0008": ("UNSUPPORTED_SCHEMA_VERSION", "schema_version 2 is not supported (supported: 1)"),
    }
    assert {r["run_id"] for r in q.collect()} == {"run-1"}
    assert q.columns == ["dataset", "reason_code", "reason", "raw_line", "_source_file", "run_id"]


def test_ratings_outside_1_to_5_and_negative_money_are_refused(spark):
    cur, _ = _curate(spark, [review("evt-review-001", 4.5), review("evt-review-002", 7)], "review_events")
    assert rows_of(cur.outcomes, "event_id", "_outcome", "_reason") == srt([
        ("evt-review-001", "published", None), (None, "quarantined", "rating is outside [1, 5]")])
    neg = order("evt-order-0012", "ORD-0012", "2026-01-01T10:00:00Z", shipping_amount="-1.5")
    cur, _ = _curate(spark, [neg])
    assert rows_of(cur.outcomes, "_outcome", "_reason") == [("quarantined", "shipping_amount is outside [0, 100000000]")]


def test_a_string_longer_than_its_contract_allows_is_refused(spark):
    # The oversized records the transformers reject (a stack trace in a 200-character reason) must
    # not reach the warehouse by the lake either.
    long_reason = order("evt-order-0013", "ORD-0013", "2026-01-01T10:00:00Z", reason="x" * 501)
    ok_reason = order("evt-order-0014", "ORD-0014", "2026-01-01T10:00:00Z", reason="x" * 500)
    cur, _ = _curate(spark, [long_reason, ok_reason])
    assert rows_of(cur.outcomes, "event_id", "_outcome", "_reason") == srt([
        ("evt-order-0014", "published", None), (None, "quarantined", "reason is longer than 500 characters")])


def test_conform_gives_utc_timestamps_event_date_and_exact_money(spark):
    cur, rules = _curate(spark, [GOOD_1, GOOD_2])
    out = {r["event_id"]: r for r in job.published_rows(cur.outcomes, rules, NOW).collect()}
    assert out["evt-order-0001"]["event_time"] == datetime(2026, 1, 1, 8, 0)
    assert out["evt-order-0001"]["event_date"] == "2026-01-01"
    assert out["evt-order-0002"]["event_date"] == "2026-01-02"  # 23:30-02:00 is the next day in UTC
    assert out["evt-order-0001"]["lines"][0]["unit_price"] == Decimal("12.5000")
    assert out["evt-order-0002"]["shipping_amount"] == Decimal("4.9900")
    assert out["evt-order-0001"]["_curated_at"] == NOW


def test_duplicates_within_the_run_and_already_curated_are_counted_not_written(spark):
    curated = spark.createDataFrame([("evt-order-0003",)], "event_id string")
    cur, _ = _curate(spark, [GOOD_1, GOOD_1, GOOD_3], curated_ids=curated)
    assert rows_of(cur.outcomes, "event_id", "_outcome", "_reason") == srt([
        ("evt-order-0001", "published", None),
        ("evt-order-0001", "deduplicated", "duplicate event_id within the run"),
        ("evt-order-0003", "deduplicated", "event_id already curated"),
    ])


def test_the_narrow_dedupe_gives_the_rows_of_the_window_over_every_row(spark):
    # run() computes the repeated and the already-curated ids first and, when they are few, shuffles
    # only their rows: the outcomes must be those of the dedupe window over every row.
    ds = next(d for d in DATASETS if d.name == "order_events")
    rules = ContractRules(ds.contract)
    copy_b = (line(GOOD_1), f"{ORDERS}/b.jsonl")  # the same event in another file, first by file name
    df = lines_df(spark, [GOOD_1, GOOD_2, GOOD_3, GOOD_3, LATE]).unionByName(
        spark.createDataFrame([copy_b], job.LINES_SCHEMA))
    classified = job.classify(df, DATASETS)
    parsed = job.parse_contract(classified, ds, rules).localCheckpoint()
    curated = spark.createDataFrame([("evt-order-0004",), ("evt-order-9999",)], "event_id string")
    ids = parsed.where(F.col("_violations") == "").select("event_id")
    dups = job.duplicate_event_ids(ids)
    hits = job.already_curated_ids(ids, curated)
    assert rows_of(dups, "event_id") == [("evt-order-0001",), ("evt-order-0003",)]
    assert rows_of(hits, "event_id") == [("evt-order-0004",)]
    narrow = job.curate_dataset(classified, ds, rules, hits, parsed, duplicate_ids=dups, curated_ids_small=True,
                                materialize_failures=lambda d: d.localCheckpoint())
    wide = job.curate_dataset(classified, ds, rules, curated, parsed)
    cols = ("event_id", "_source_file", "_outcome", "_reason")
    assert rows_of(narrow.outcomes, *cols) == rows_of(wide.outcomes, *cols) == srt([
        ("evt-order-0001", f"{ORDERS}/b.jsonl", "published", None),
        ("evt-order-0001", f"{ORDERS}/x.jsonl", "deduplicated", "duplicate event_id within the run"),
        ("evt-order-0002", f"{ORDERS}/x.jsonl", "published", None),
        ("evt-order-0003", f"{ORDERS}/x.jsonl", "published", None),
        ("evt-order-0003", f"{ORDERS}/x.jsonl", "deduplicated", "duplicate event_id within the run"),
        ("evt-order-0004", f"{ORDERS}/x.jsonl", "deduplicated", "event_id already curated"),
    ])


def test_one_parse_for_every_contract_keeps_each_contracts_own_verdict(spark):
    # Lines are parsed once with the union of the contracts. A field that only another contract
    # declares, with a value of the wrong type for that contract, must not make the row corrupt (its
    # own contract's parse ignores the field), and a wrong type for its own contract still must.
    union, covered = job.union_parse_struct(DATASETS)
    assert covered == {d.name for d in DATASETS}
    assert {"event_type", "schema_version", "rating", "order_id"} <= set(union.fieldNames())
    foreign = order("evt-order-0020", "ORD-0020", "2026-01-01T10:00:00Z", rating="five stars")
    cur, _ = _curate(spark, [foreign, WRONG_TYPE, {**GOOD_3, "schema_version": "1"}])
    assert rows_of(cur.outcomes, "event_id", "_outcome", "_reason") == srt([
        ("evt-order-0020", "published", None),
        (None, "quarantined", "wrong JSON type for the contract in: customer_id"),
        (None, "quarantined",
         "wrong JSON type for the contract in: schema_version; required field schema_version is missing or null"),
    ])


def test_a_failing_gate_blocks_its_partition_only(spark):
    ds = next(d for d in DATASETS if d.name == "order_events")
    rules = ContractRules(ds.contract)
    classified = job.classify(lines_df(spark, [GOOD_1, GOOD_2, GOOD_3]), DATASETS)
    valid = job.conform(job.parse_contract(classified, ds, rules).localCheckpoint(), rules)
    # The gate is run on rows that passed the contract; here a bad row is forced into 2026-01-02.
    bad = valid.where(F.col("event_id") == "evt-order-0002").withColumn("customer_id", F.lit(-3).cast("long"))
    rows = valid.where(F.col("event_id") != "evt-order-0002").unionByName(bad).unionByName(bad)
    failures = job.gate_failures(rows, rules)
    assert rows_of(failures, "event_date", "rule", "failed_rows") == [
        ("2026-01-02", "range:customer_id", 2), ("2026-01-02", "unique:event_id", 1)]
    gated = job.apply_gates(rows, failures)
    assert rows_of(gated, "event_id", "_gate_reason") == srt([
        ("evt-order-0001", None), ("evt-order-0003", None),
        ("evt-order-0002", "partition event_date=2026-01-02 failed its quality gate: "
                           "range:customer_id (2 rows), unique:event_id (1 rows)"),
        ("evt-order-0002", "partition event_date=2026-01-02 failed its quality gate: "
                           "range:customer_id (2 rows), unique:event_id (1 rows)"),
    ])


def test_unreadable_files_are_detected_before_spark(tmp_path):
    good = write(tmp_path, "a.jsonl.gz", "{}\n", gz=True)
    bad = tmp_path / "b.jsonl.gz"
    bad.write_bytes(gzip.compress(b"{}\n" * 100)[:20])
    not_gzip = tmp_path / "c.jsonl.gz"
    not_gzip.write_bytes(b"plain text")
    latin = tmp_path / "d.jsonl"
    latin.write_bytes(b"\xff\xfe{}")
    assert raw_files.unreadable_reason(str(good)) is None
    assert raw_files.unreadable_reason(str(bad)).startswith("cannot read gzip: EOFError")
    assert raw_files.unreadable_reason(str(not_gzip)).startswith("cannot read gzip: BadGzipFile")
    assert raw_files.unreadable_reason(str(latin)).startswith("cannot read file: UnicodeDecodeError")


def test_dataset_selection_must_cover_whole_streams():
    assert [d.name for d in select_datasets(DATASETS, ["order_events", "product_metadata_events"])] == [
        "order_events", "product_metadata_events"]
    with pytest.raises(ValueError, match="add product_metadata_events"):
        select_datasets(DATASETS, ["order_events"])
    with pytest.raises(ValueError, match="Unknown dataset.*orders_v2"):
        select_datasets(DATASETS, ["orders_v2"])


def _main(raw: Path, cur: Path, run_id: str, *extra: str) -> dict:
    return job.main(["--raw-root", str(raw), "--curated-root", str(cur), "--run-id", run_id, *extra])


def _read(spark, path: Path):
    """Read a curated or quarantine folder; event_date is a string column in the catalog, while
    Spark's partition discovery would infer a date."""
    df = spark.read.parquet(str(path))
    return df.withColumn("event_date", F.col("event_date").cast("string")) if "event_date" in df.columns else df


def test_main_end_to_end_is_incremental_and_idempotent(spark, tmp_path, capsys):
    raw, cur = tmp_path / "raw", tmp_path / "lake"
    build_raw(raw)

    first = _main(raw, cur, "run-1")
    orders = first["datasets"]["order_events"]
    assert orders == {
        "read": 10, "written": 3, "deduplicated": 1,
        "quarantined": {"CONTRACT_VIOLATION": 5, "UNSUPPORTED_SCHEMA_VERSION": 1},
        "partitions_written": ["2026-01-01", "2026-01-02"],
        "gates": {"passed": ["2026-01-01", "2026-01-02"], "failed": {}}, "reconciled": True,
    }
    assert first["datasets"]["review_events"]["written"] == 1
    assert first["datasets"]["review_events"]["quarantined"] == {"CONTRACT_VIOLATION": 1}
    assert first["datasets"]["product_metadata_events"]["written"] == 1
    assert first["unrouted"] == {"read": 3, "quarantined": {"MALFORMED_JSON": 1, "UNKNOWN_EVENT_TYPE": 1, "UNREADABLE_FILE": 1}}
    assert first["totals"] == {"read": 16, "written": 5, "deduplicated": 1, "quarantined": 10}
    assert first["totals"]["read"] == sum(first["totals"][k] for k in ("written", "deduplicated", "quarantined"))
    assert first["files"] == {"mode": "state", "new": 5, "unreadable": [f"{ORDERS}/c.jsonl.gz"]}

    curated = _read(spark, cur / "curated/order_events")
    assert rows_of(curated, "event_id", "order_id", "event_date", "_source_file") == [
        ("evt-order-0001", "ORD-0001", "2026-01-01", f"{ORDERS}/a.jsonl"),
        ("evt-order-0002", "ORD-0002", "2026-01-02", f"{ORDERS}/a.jsonl"),
        ("evt-order-0003", "ORD-0003", "2026-01-01", f"{ORDERS}/b.jsonl.gz"),
    ]
    assert [f.name for f in curated.schema.fields][-3:] == ["_source_file", "_curated_at", "event_date"]
    q = _read(spark, cur / "quarantine/_unrouted")
    assert rows_of(q, "reason_code", "_source_file", "run_id") == [
        ("MALFORMED_JSON", f"{ORDERS}/a.jsonl", "run-1"),
        ("UNKNOWN_EVENT_TYPE", f"{ORDERS}/a.jsonl", "run-1"),
        ("UNREADABLE_FILE", f"{ORDERS}/c.jsonl.gz", "run-1"),
    ]
    assert q.where("reason_code = 'UNREADABLE_FILE'").first()["reason"].startswith("cannot read gzip: EOFError")
    assert q.where("reason_code = 'MALFORMED_JSON'").first()["raw_line"] == "not json {"
    assert _read(spark, cur / "quarantine/order_events").count() == 6
    saved = json.loads((cur / "_state/raw_events_to_curated/runs/run-1.json").read_text())
    assert saved["datasets"]["order_events"] == orders and '"run_id": "run-1"' in capsys.readouterr().out

    second = _main(raw, cur, "run-2")
    assert second["totals"] == {"read": 0, "written": 0, "deduplicated": 0, "quarantined": 0}
    assert _read(spark, cur / "curated/order_events").count() == 3

    write(raw, "events/stream=orders/event_date=2026-01-05/d.jsonl", line(LATE) + "\n" + line(GOOD_2) + "\n")
    third = _main(raw, cur, "run-3")
    assert third["datasets"]["order_events"] | {"gates": None} == {
        "read": 2, "written": 1, "deduplicated": 1, "quarantined": {}, "partitions_written": ["2025-12-31"],
        "gates": None, "reconciled": True}
    curated = _read(spark, cur / "curated/order_events")
    assert rows_of(curated, "event_id", "event_date") == [
        ("evt-order-0001", "2026-01-01"), ("evt-order-0002", "2026-01-02"),
        ("evt-order-0003", "2026-01-01"), ("evt-order-0004", "2025-12-31")]


def test_a_failing_gate_in_a_run_quarantines_its_partition_and_publishes_the_rest(spark, tmp_path, monkeypatch):
    raw, cur = tmp_path / "raw", tmp_path / "lake"
    write(raw, f"{ORDERS}/a.jsonl", "\n".join(line(d) for d in [GOOD_1, GOOD_2, GOOD_3]) + "\n")
    real = job.gate_rules
    extra = Rule("test:no ORD-0002", "ORD-0002 is banned", lambda: F.col("order_id") == "ORD-0002")
    monkeypatch.setattr(job, "gate_rules", lambda rules: real(rules) + [extra])
    report = _main(raw, cur, "run-g", "--datasets", "order_events,product_metadata_events")
    orders = report["datasets"]["order_events"]
    assert orders["gates"] == {"passed": ["2026-01-01"], "failed": {"2026-01-02": ["test:no ORD-0002 (1 rows)"]}}
    assert (orders["written"], orders["quarantined"]) == (2, {"QUALITY_GATE": 1})
    assert rows_of(_read(spark, cur / "curated/order_events"), "event_id") == [("evt-order-0001",), ("evt-order-0003",)]
    q = _read(spark, cur / "quarantine/order_events")
    assert rows_of(q, "reason_code", "reason") == [
        ("QUALITY_GATE", "partition event_date=2026-01-02 failed its quality gate: test:no ORD-0002 (1 rows)")]
    assert json.loads(q.first()["raw_line"])["event_id"] == "evt-order-0002"


def test_counts_that_do_not_reconcile_fail_loudly(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(job, "_counts_by", lambda df: {})
    with pytest.raises(job.ReconciliationError, match="order_events: read 1 != written 0"):
        job.run(spark, str(tmp_path), str(tmp_path / "lake"), "run-x", lines=lines_df(spark, [GOOD_1]))
