"""The third-party files -> curated job on a local SparkSession, over small fixture files holding every
bad input the issue lists: a CSV without a required column, a truncated gzip, a malformed JSON line, rows
invalid to their contract (also a CSV value that does not cast), a duplicate across two files, an empty
file, then a second run that changes nothing and a third run with a restatement (newest file wins), a
late older file and a partition whose quality gate fails on the campaigns reference."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from common import drop_files
from common.contract_rules import ContractRules
from common.file_datasets import load_file_datasets, select_feeds
from jobs import third_party_files_to_curated as job

SPEND = "third-party/campaign-spend/received_date=2026-01-02"
SETT = "third-party/payment-settlements/received_date=2026-01-02"
HEADER = "spend_date,campaign_id,channel,source,impressions,clicks,conversions,spend,currency,reported_at"

ROW_1 = "2026-01-01,CMP-1,search,google_ads,1000,40,2,25.50,EUR,2026-01-02T06:00:00Z"
ROW_2 = "2026-01-01,CMP-2,social,meta_ads,500,6,,7.00,EUR,"
WRONG_TYPE = "2026-01-01,CMP-3,email,braze,many,3,0,1.00,EUR,"
NEGATIVE = "2026-01-01,CMP-3,email,braze,100,3,0,-1.00,EUR,"
QUOTED = '"2026-01-01","CMP-4","display","google_ads",200,1,0,"1,000.00",EUR,'
SHORT = "2026-01-01,CMP-2,social,meta_ads"
ROW_DAY2 = "2026-01-02,CMP-1,search,microsoft_ads,300,9,1,4.20,EUR,"


def settlement(sid: str, **extra) -> dict:
    base = {"settlement_id": sid, "order_id": "ORD-0001", "payment_reference": "CARD-1", "status": "settled",
            "payment_method": "card", "amount": "18.00", "fee": "0.50", "net": "17.50", "currency": "EUR",
            "settled_at": "2026-01-01T10:00:00Z", "provider": "payflow"}
    base.update(extra)
    return base


STL_1 = settlement("STL-0001", settled_at="2026-01-01T23:30:00-02:00")  # 01:30 UTC on 2026-01-02
STL_2 = settlement("STL-0002", status="refunded", amount="9.00", fee="0", net="9.00")
STL_BAD_STATUS = settlement("STL-0004", status="pending")
STL_NEG_FEE = settlement("STL-0005", fee=-1)
STL_CSV_HEADER = "settlement_id,order_id,status,amount,fee,net,currency,settled_at"
STL_6 = "STL-0006,ORD-0002,chargeback,20.00,15.00,35.00,EUR,2026-01-02T08:00:00Z"
STL_1_CSV = "STL-0001,ORD-0001,settled,18.00,0.50,17.50,EUR,2026-01-02T01:30:00Z"


def write(root: Path, key: str, data: str | bytes, gz: bool = False) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode() if isinstance(data, str) else data
    path.write_bytes(gzip.compress(raw) if gz else raw)


def csv(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def build_raw(root: Path) -> None:
    """The first drop: every bad input, across CSV, JSON Lines, gzip and plain files."""
    write(root, f"{SPEND}/a.csv", "\ufeff" + csv(
        HEADER + ",notes", ROW_1 + ',"first, quoted"', ROW_2 + ",", WRONG_TYPE + ",", NEGATIVE + ",", QUOTED + ",",
        SHORT, "",
    ))
    write(root, f"{SPEND}/b.csv.gz", csv(HEADER, ROW_1, ROW_DAY2), gz=True)  # ROW_1 again: a duplicate
    no_clicks = HEADER.replace(",clicks", "")
    write(root, f"{SPEND}/c-missing.csv", csv(no_clicks, "2026-01-01,CMP-5,email,braze,10,0,0.10,EUR,",
                                              "2026-01-01,CMP-6,email,braze,10,0,0.10,EUR,"))
    write(root, f"{SPEND}/d-empty.csv", "")
    write(root, f"{SPEND}/e.xlsx", "PK\x03\x04")
    write(root, f"{SETT}/f.jsonl", "\n".join([
        json.dumps(STL_1), json.dumps(STL_2), '{"settlement_id": "STL-0003", "order_id"', json.dumps(STL_BAD_STATUS),
        json.dumps(STL_NEG_FEE), "",
    ]) + "\n")
    write(root, f"{SETT}/g.csv", csv(STL_CSV_HEADER, STL_1_CSV, STL_6))  # STL-0001 again, as CSV
    truncated = gzip.compress((json.dumps(STL_2) + "\n").encode() * 40)[:40]
    write(root, f"{SETT}/h.jsonl.gz", truncated)


def run_job(raw: Path, cur: Path, run_id: str) -> dict:
    return job.main(["--raw-root", str(raw), "--curated-root", str(cur), "--run-id", run_id])


def spend_rows(spark, cur: Path) -> list[tuple]:
    df = spark.read.parquet(str(cur / "curated" / "campaign_spend"))
    return sorted(
        (str(r["spend_date"]), r["campaign_id"], r["source"], r["impressions"], r["clicks"], r["conversions"], r["spend"],
         r["_source_file"].rsplit("/", 1)[-1])
        for r in df.collect()
    )


def quarantine(spark, cur: Path, dataset: str, run_id: str) -> list[tuple]:
    df = spark.read.parquet(str(cur / "quarantine" / dataset)).where(F.col("run_id") == run_id)
    return sorted((r["reason_code"], r["reason"], r["raw_line"], r["_source_file"].rsplit("/", 1)[-1]) for r in df.collect())


# ---- pure pieces, no Spark ----------------------------------------------------------------------


def test_file_formats_received_dates_and_headers():
    assert drop_files.file_format("third-party/x/received_date=2026-01-02/a.CSV") == "csv"
    assert drop_files.file_format("a.jsonl.gz") == "json"
    assert drop_files.file_format("a.json") == "json"
    assert drop_files.file_format("a.xlsx") is None
    assert drop_files.received_date("third-party/x/received_date=2026-01-02/a.csv") == "2026-01-02"
    assert drop_files.header_columns('\ufeffa,"b,c", d ') == ["a", "b,c", "d"]


def test_missing_and_unknown_header_columns():
    rules = ContractRules("campaign-spend")
    missing, extra = job.header_problems(HEADER.replace(",clicks", "").split(",") + ["notes"], rules)
    assert (missing, extra) == (["clicks"], ["notes"])


def test_feeds_are_selected_by_feed_or_dataset_name():
    all_ds = load_file_datasets()
    assert [d.name for d in all_ds] == ["campaign_spend", "payment_settlements"]
    assert [d.name for d in select_feeds(all_ds, ["payment-settlements", "campaign_spend"])] == [
        "payment_settlements", "campaign_spend"]
    with pytest.raises(ValueError, match="Unknown feed.*orders.*known: campaign-spend, payment-settlements"):
        select_feeds(all_ds, ["orders"])


# ---- the job, end to end ------------------------------------------------------------------------


OLD = "third-party/campaign-spend/received_date=2026-01-01/old.csv"
NEWER = "third-party/campaign-spend/received_date=2026-01-04/new.csv"
LATE = "third-party/campaign-spend/received_date=2026-01-01/late.csv"
CMP_9 = "2026-01-05,CMP-9,search,google_ads,10,1,0,1.00,EUR,"


def seed_curated(spark, cur: Path) -> None:
    """What earlier runs curated: the campaigns dimension (another job's), and campaign spend from an older
    file (one row of it is restated by this run) and from a newer file (a late file restates it)."""
    spark.createDataFrame([("CMP-1",), ("CMP-2",)], "campaign_id string").write.parquet(str(cur / "curated" / "campaigns"))
    ds = select_feeds(load_file_datasets(), ["campaign-spend"])[0]
    schema = job.curated_schema(ds, ContractRules(ds.contract))
    at = datetime(2026, 1, 1, 12, 0, 0)
    rows = [
        ("CMP-2", "social", "meta_ads", 450, 5, None, Decimal("6.00"), "EUR", None, OLD, at, date(2026, 1, 1)),
        ("CMP-7", "email", "braze", 80, 2, 0, Decimal("0.40"), "EUR", None, OLD, at, date(2026, 1, 1)),
        ("CMP-1", "search", "google_ads", 900, 30, 1, Decimal("20.00"), "EUR", None, OLD, at, date(2025, 12, 31)),
        ("CMP-1", "search", "google_ads", 700, 20, 1, Decimal("15.00"), "EUR", None, NEWER, at, date(2026, 1, 3)),
    ]
    spark.createDataFrame(rows, schema).write.partitionBy("spend_date").parquet(str(cur / "curated" / "campaign_spend"))


def test_a_run_curates_quarantines_with_reasons_dedupes_gates_and_reconciles(spark, tmp_path):
    raw, cur = tmp_path / "raw", tmp_path / "curated"
    build_raw(raw)
    write(raw, f"{SPEND}/b.csv.gz", csv(HEADER, ROW_1, ROW_DAY2, CMP_9), gz=True)  # ROW_1 again; CMP-9 is unknown
    write(raw, LATE, csv(HEADER, "2026-01-03,CMP-1,search,google_ads,10,1,0,1.00,EUR,"))  # older than NEWER
    seed_curated(spark, cur)
    report = run_job(raw, cur, "run-1")

    spend = report["datasets"]["campaign_spend"]
    assert {k: spend[k] for k in ("read", "written", "corrected", "deduplicated", "quarantined", "partitions_written")} == {
        "read": 13, "written": 3, "corrected": 1, "deduplicated": 2,
        "quarantined": {"CONTRACT_VIOLATION": 3, "MALFORMED_CSV": 1, "MISSING_COLUMN": 2, "QUALITY_GATE": 1,
                        "UNSUPPORTED_FILE_FORMAT": 1},
        "partitions_written": ["2026-01-01", "2026-01-02"],
    }
    assert spend["reconciled"] is True
    assert spend["gates"] == {
        "passed": ["2026-01-01", "2026-01-02"],
        "failed": {"2026-01-05": ["reference:campaign_id->campaigns (1 rows)"]},
        "references": {"campaign_id": "checked against curated/campaigns/ (2 keys)"},
    }
    assert spend["files"]["new"] == 6
    assert spend["files"]["quarantined_whole"] == {f"{SPEND}/c-missing.csv": "MISSING_COLUMN",
                                                   f"{SPEND}/e.xlsx": "UNSUPPORTED_FILE_FORMAT"}
    assert spend["files"]["extra_columns_ignored"] == {f"{SPEND}/a.csv": ["notes"]}

    # newest file wins: b.csv.gz sorts after a.csv (ROW_1's copy from b is curated); a.csv restates CMP-2 of
    # old.csv (the partition is rewritten, CMP-7 kept); late.csv is older than new.csv (deduplicated)
    assert spend_rows(spark, cur) == [
        ("2025-12-31", "CMP-1", "google_ads", 900, 30, 1, Decimal("20.0000"), "old.csv"),
        ("2026-01-01", "CMP-1", "google_ads", 1000, 40, 2, Decimal("25.5000"), "b.csv.gz"),
        ("2026-01-01", "CMP-2", "meta_ads", 500, 6, None, Decimal("7.0000"), "a.csv"),
        ("2026-01-01", "CMP-7", "braze", 80, 2, 0, Decimal("0.4000"), "old.csv"),
        ("2026-01-02", "CMP-1", "microsoft_ads", 300, 9, 1, Decimal("4.2000"), "b.csv.gz"),
        ("2026-01-03", "CMP-1", "google_ads", 700, 20, 1, Decimal("15.0000"), "new.csv"),
    ]
    curated = spark.read.parquet(str(cur / "curated" / "campaign_spend"))
    assert curated.columns[-3:] == ["_source_file", "_curated_at", "spend_date"]
    assert {r[0] for r in curated.where(F.col("campaign_id") == "CMP-2").select("_source_file").collect()} == {f"{SPEND}/a.csv"}

    q = quarantine(spark, cur, "campaign_spend", "run-1")
    missing_reason = (f"file {SPEND}/c-missing.csv has no column clicks (required by contract campaign-spend); its header is "
                      f"'{HEADER.replace(',clicks', '')}'. Add the column(s) and deliver the file again")
    amount = "is not an amount (digits, '.', at most 4 decimals, not negative)"
    assert q == sorted([
        ("CONTRACT_VIOLATION", "impressions 'many' is not a whole number", WRONG_TYPE + ",", "a.csv"),
        ("CONTRACT_VIOLATION", f"spend '-1.00' {amount}", NEGATIVE + ",", "a.csv"),
        ("CONTRACT_VIOLATION", f"spend '1,000.00' {amount}", QUOTED + ",", "a.csv"),
        ("MALFORMED_CSV", "row does not have the header's 11 fields (check the quoting: RFC 4180, a field with a comma, "
         "quote or line break must be quoted)", SHORT, "a.csv"),
        ("MISSING_COLUMN", missing_reason, "2026-01-01,CMP-5,email,braze,10,0,0.10,EUR,", "c-missing.csv"),
        ("MISSING_COLUMN", missing_reason, "2026-01-01,CMP-6,email,braze,10,0,0.10,EUR,", "c-missing.csv"),
        ("QUALITY_GATE", "partition spend_date=2026-01-05 failed its quality gate: reference:campaign_id->campaigns (1 rows)",
         CMP_9, "b.csv.gz"),
        ("UNSUPPORTED_FILE_FORMAT", f"file {SPEND}/e.xlsx: the name must end in .csv, .json, .jsonl (optionally .gz) "
         "for feed campaign-spend; rename it and deliver it again", None, "e.xlsx"),
    ], key=str)

    sett = report["datasets"]["payment_settlements"]
    assert {k: sett[k] for k in ("read", "written", "deduplicated", "quarantined", "partitions_written", "reconciled")} == {
        "read": 8, "written": 3, "deduplicated": 1,
        "quarantined": {"CONTRACT_VIOLATION": 2, "MALFORMED_JSON": 1, "UNREADABLE_FILE": 1},
        "partitions_written": ["2026-01-01", "2026-01-02"], "reconciled": True,
    }
    assert sett["gates"]["references"] == {} and sett["gates"]["failed"] == {}
    rows = spark.read.parquet(str(cur / "curated" / "payment_settlements")).collect()
    # first wins: STL-0001 comes from f.jsonl (before g.csv); settled_at is UTC, settled_date its UTC day
    assert sorted((r["settlement_id"], r["status"], r["amount"], r["fee"], r["net"], str(r["settled_at"]),
                   str(r["settled_date"]), r["payment_reference"], r["_source_file"].rsplit("/", 1)[-1]) for r in rows) == [
        ("STL-0001", "settled", Decimal("18.0000"), Decimal("0.5000"), Decimal("17.5000"), "2026-01-02 01:30:00",
         "2026-01-02", "CARD-1", "f.jsonl"),
        ("STL-0002", "refunded", Decimal("9.0000"), Decimal("0.0000"), Decimal("9.0000"), "2026-01-01 10:00:00",
         "2026-01-01", "CARD-1", "f.jsonl"),
        ("STL-0006", "chargeback", Decimal("20.0000"), Decimal("15.0000"), Decimal("35.0000"), "2026-01-02 08:00:00",
         "2026-01-02", None, "g.csv"),
    ]
    q = quarantine(spark, cur, "payment_settlements", "run-1")
    assert [(c, r, f) for c, r, _, f in q] == [
        ("CONTRACT_VIOLATION", "fee is outside [0, 100000000]", "f.jsonl"),
        ("CONTRACT_VIOLATION", "status is not one of settled, refunded, chargeback", "f.jsonl"),
        ("MALFORMED_JSON", "line is not a JSON object", "f.jsonl"),
        (job.UNREADABLE_FILE, q[3][1], "h.jsonl.gz"),
    ]
    assert q[3][1].startswith(f"file {SETT}/h.jsonl.gz: cannot read gzip:") and q[3][2] is None
    assert q[2][2] == '{"settlement_id": "STL-0003", "order_id"'

    assert report["totals"] == {"read": 21, "written": 6, "corrected": 1, "deduplicated": 3, "quarantined": 12}
    assert report["reconciled"] is True
    assert report["files"]["new"] == 9
    on_disk = json.loads((cur / "_state" / job.JOB_NAME / "runs" / "run-1.json").read_text())
    assert on_disk["datasets"]["campaign_spend"]["read"] == 13
    state = json.loads((cur / "_state" / job.JOB_NAME / "processed_files.json").read_text())
    assert len(state["files"]) == 9

    # a second run over the same raw zone reads nothing and changes nothing
    before = spend_rows(spark, cur)
    again = run_job(raw, cur, "run-2")
    assert again["files"]["new"] == 0 and again["reconciled"] is True
    assert all(e["read"] == 0 and e["reconciled"] for e in again["datasets"].values())
    assert spend_rows(spark, cur) == before
    assert spark.read.parquet(str(cur / "curated" / "payment_settlements")).count() == 3


def test_a_reconciliation_failure_does_not_record_the_files(spark, tmp_path, monkeypatch):
    raw, cur = tmp_path / "raw", tmp_path / "curated"
    write(raw, f"{SETT}/f.jsonl", json.dumps(STL_2) + "\n")
    unbalanced = job.empty_entry(load_file_datasets()[1], []) | {"read": 2, "written": 1, "reconciled": False}
    monkeypatch.setattr(job, "curate_feed", lambda *args: unbalanced)
    with pytest.raises(job.ReconciliationError, match=r"read 2 != written 1 \+ quarantined 0 \+ deduplicated 0.*NOT recorded"):
        run_job(raw, cur, "run-x")
    assert not (cur / "_state" / job.JOB_NAME / "processed_files.json").exists()
