"""The DynamoDB documents -> curated job on a local SparkSession: the DynamoDB JSON decoder (every
type), export items to curated rows exactly, contract violations and undecodable items quarantined with
their reason, a corrupt and a missing data file, the same export twice, a newer export, an empty table,
and the reconciliation with the manifest."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from common.document_datasets import load_document_datasets, select_tables
from jobs import dynamodb_documents_to_curated as job

# --------------------------------------------------------------------------------------------------
# Fixtures: exports in AWS's layout
# --------------------------------------------------------------------------------------------------


def av(value) -> dict:
    """A plain value as DynamoDB JSON (what the SDK's marshall does for the transformers)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, set):
        return {"SS": sorted(value)}
    if isinstance(value, dict):
        return {"M": {k: av(v) for k, v in value.items()}}
    return {"L": [av(v) for v in value]}


def item_line(item: dict) -> str:
    return json.dumps({"Item": {k: av(v) for k, v in item.items()}}, separators=(",", ":"))


def write_export(raw: Path, table_id: str, export_id: str, export_time: str, files: list[list[str] | bytes | None],
                 item_counts: list[int] | None = None) -> str:
    """An export in AWS's layout; each file is its lines (gzipped), raw bytes (written as they are), or
    None (listed in the manifest but missing). Returns the export id."""
    base = f"dynamodb/{table_id}/AWSDynamoDB/{export_id}"
    entries = []
    for i, content in enumerate(files):
        key = f"{base}/data/file{i:03d}.json.gz"
        count = len(content) if isinstance(content, list) else 0
        if item_counts is not None:
            count = item_counts[i]
        if content is not None:
            path = raw / key
            path.parent.mkdir(parents=True, exist_ok=True)
            body = content if isinstance(content, bytes) else gzip.compress("".join(f"{l}\n" for l in content).encode())
            path.write_bytes(body)
        entries.append({"itemCount": count, "md5Checksum": "", "etag": "", "dataFileS3Key": key})
    (raw / base).mkdir(parents=True, exist_ok=True)
    (raw / base / "_started").write_text("")
    (raw / base / "manifest-files.json").write_text("".join(json.dumps(e) + "\n" for e in entries))
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/ecom-dev-{table_id}"
    summary = {
        "version": "2020-06-30", "exportArn": f"{arn}/export/{export_id}", "startTime": export_time,
        "endTime": export_time, "tableArn": arn, "tableId": "t-1", "exportTime": export_time, "s3Bucket": "raw",
        "s3Prefix": f"dynamodb/{table_id}", "s3SseAlgorithm": "AES256", "s3SseKmsKeyId": None,
        "manifestFilesS3Key": f"{base}/manifest-files.json", "billedSizeBytes": 0,
        "itemCount": sum(e["itemCount"] for e in entries), "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT",
    }
    (raw / base / "manifest-summary.json").write_text(json.dumps(summary))
    return export_id


SESSION = {
    "session_id": "abcd-efgh-ijkl-1234", "customer_id": 12345,
    "start_time": "2024-09-18T13:05:00.000Z", "end_time": "2024-09-18T13:30:00.000Z",
    "pages_visited": [{"page_name": "Product Page", "visit_timestamp": "2024-09-18T13:05:00.000Z", "product_id": 987}],
    "actions": [{"action": "checkout_attempt", "timestamp": "2024-09-18T13:30:00.000Z", "status": "abandoned"}],
    # internal attributes of the sessions table
    "event_ids": {"evt-2", "evt-1"}, "page_count": 1, "action_count": 1, "expires_at": 1734000000,
    "updated_at": "2024-09-19T00:00:00.000Z",
}
REVIEW = {
    "product_id": 987, "review_key": "2024-09-15T12:00:00.000Z#23456", "review_id": 23456, "customer_id": 12345,
    "rating": Decimal("4.5"), "title": "Good", "review_text": "Great product!", "review_date": "2024-09-15T12:00:00.000Z",
    "verified_purchase": True, "review_media": [{"media_type": "image", "url": "https://example.com/r1.jpg"}],
    "review_event_time": "2024-09-15T12:00:00.000Z", "review_event_id": "evt-rev-1", "updated_at": "2024-09-19T00:00:00.000Z",
}
BAD_RATING = {**REVIEW, "review_id": 23457, "review_key": "2024-09-15T12:00:00.000Z#23457", "rating": 9}
STRAY = {**REVIEW, "review_id": 23458, "review_key": "2024-09-15T12:00:00.000Z#23458", "mood": "happy"}
METADATA = {
    "product_id": 987,
    "metadata": {"specifications": {"battery_life": "10 hours", "weight_g": Decimal("250.5"), "waterproof": True},
                 "images": [{"url": "https://example.com/img1.jpg", "alt_text": "Image 1"}], "tags": ["wireless", "bluetooth"]},
    "metadata_event_time": "2024-09-18T10:00:00.000Z", "metadata_event_id": "evt-pmd-1", "updated_at": "2024-09-19T00:00:00.000Z",
}


def read_snapshot(spark, curated: Path, dataset: str) -> list[dict]:
    df = spark.read.parquet(str(curated / "curated" / dataset))
    return [r.asDict(recursive=True) for r in df.orderBy(*df.columns[:1]).collect()]


def read_quarantine(spark, curated: Path, dataset: str) -> list[dict]:
    return [r.asDict() for r in spark.read.parquet(str(curated / "quarantine" / dataset)).collect()]


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.endswith(".crc"))


# --------------------------------------------------------------------------------------------------
# The decoder (pure Python)
# --------------------------------------------------------------------------------------------------


def test_decode_value_every_type():
    assert job.decode_value({"S": "x"}) == "x"
    assert job.decode_value({"N": "42"}) == Decimal(42)
    assert job.decode_value({"N": "12.3400"}) == Decimal("12.3400")
    assert job.decode_value({"BOOL": False}) is False
    assert job.decode_value({"NULL": True}) is None
    assert job.decode_value({"B": "AAE="}) == "AAE="
    assert job.decode_value({"M": {"a": {"N": "1"}, "b": {"L": [{"S": "x"}, {"NULL": True}]}}}) == {"a": 1, "b": ["x", None]}
    assert job.decode_value({"SS": ["b", "a"]}) == ["a", "b"]
    assert job.decode_value({"NS": ["10", "2.5"]}) == [Decimal("2.5"), Decimal(10)]
    assert job.decode_value({"BS": ["AQ==", "AA=="]}) == ["AA==", "AQ=="]


@pytest.mark.parametrize("value, message", [
    ({"X": 1}, "unknown DynamoDB type descriptor 'X'"),
    ({"S": "a", "N": "1"}, "expected one DynamoDB type descriptor"),
    ({"N": "abc"}, "N value 'abc' is not a number"),
    ({"N": 5}, "N must be a string"),
    ({"NULL": False}, "NULL must be true"),
    ({"BOOL": "yes"}, "BOOL must be true or false"),
    ({"B": "***"}, "B value is not valid base64"),
    ({"SS": []}, "SS must be a non-empty array"),
    ({"M": {"deep": {"L": [{"N": "NaN"}]}}}, "x.deep[0]: N value 'NaN' is not a finite number"),
])
def test_decode_value_refuses_what_is_not_dynamodb_json(value, message):
    with pytest.raises(job.DecodeError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        job.decode_value(value, "x")


def test_to_json_keeps_numbers_exact():
    doc = {"a": Decimal("0.1"), "b": Decimal("1E+2"), "c": Decimal("12.3400"), "d": [True, None, "é"], "e": Decimal("-7")}
    assert job.to_json(doc) == '{"a":0.1,"b":100,"c":12.34,"d":[true,null,"\\u00e9"],"e":-7}'
    assert json.loads(job.to_json(doc))["d"] == [True, None, "é"]


def test_decode_document_drops_internal_attributes_and_reports_unexpected_ones():
    ds = select_tables(load_document_datasets(), ["sessions"])[0]
    fields = ["session_id", "customer_id", "start_time", "end_time", "pages_visited", "actions"]
    d = job.decode_document(item_line({**SESSION, "colour": "red"}), fields, list(ds.internal_attributes))
    assert d.error is None and d.unexpected == ("colour",)
    assert set(json.loads(d.document)) == set(fields)
    bad = job.decode_document('{"Items": {}}', fields, [])
    assert bad.document is None and "expected {\"Item\"" in bad.error
    assert "line is not JSON" in job.decode_document("{oops", fields, []).error


def test_manifest_keys_resolve_relative_to_the_raw_root():
    key = "dynamodb/sessions/AWSDynamoDB/0170-ab/data/x.json.gz"
    assert job.resolve_key("sessions", key) == key
    assert job.resolve_key("sessions", f"lake/raw/{key}") == key  # an S3 prefix above the raw root's keys
    assert job.resolve_key("sessions", "AWSDynamoDB/0170-ab/data/x.json.gz") == key


def test_document_datasets_cover_the_five_tables():
    names = {d.table_id: d.name for d in load_document_datasets()}
    assert names == {
        "customer-interactions": "customer_interaction_documents", "product-reviews": "product_review_documents",
        "sessions": "session_documents", "product-metadata": "product_metadata_documents",
        "application-logs": "application_log_documents",
    }
    with pytest.raises(ValueError, match="Unknown table\\(s\\) orders in --tables; known: customer-interactions"):
        select_tables(load_document_datasets(), ["orders"])


# --------------------------------------------------------------------------------------------------
# The job over exports
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_run(spark, tmp_path_factory):
    """One run over exports of three tables holding every case; the second run over the same raw zone."""
    root = tmp_path_factory.mktemp("ddb")
    raw, curated = root / "raw", root / "curated"
    write_export(raw, "sessions", "01700000000000-aaaa0001", "2026-01-05T23:50:00.000Z", [[item_line(SESSION)]])
    # an older export of the same table: never curated (only the newest one is)
    write_export(raw, "sessions", "01600000000000-aaaa0000", "2025-12-01T00:00:00.000Z", [[item_line(SESSION)]])
    truncated = gzip.compress((item_line(REVIEW) + "\n").encode() * 20)[:40]
    write_export(raw, "product-reviews", "01700000000000-bbbb0001", "2026-01-06T01:00:00Z", [
        [item_line(REVIEW), item_line(BAD_RATING), item_line(STRAY), '{"Item": {"review_id": {"Q": "1"}}}'],
        truncated,
        None,
    ], item_counts=[4, 20, 3])
    write_export(raw, "product-metadata", "01700000000000-cccc0001", "2026-01-06T02:00:00Z", [[item_line(METADATA)], []])
    write_export(raw, "application-logs", "01700000000000-dddd0001", "2026-01-06T03:00:00Z", [[]])
    args = ["--raw-root", str(raw), "--curated-root", str(curated), "--tables",
            "sessions,product-reviews,product-metadata,application-logs,customer-interactions"]
    report = job.main(args + ["--run-id", "run-1"])
    after_first = files_under(curated / "curated")
    second = job.main(args + ["--run-id", "run-2"])
    return {"raw": raw, "curated": curated, "report": report, "second": second, "after_first": after_first, "args": args}


def test_items_become_curated_rows_exactly(spark, first_run):
    curated = first_run["curated"]
    [session] = read_snapshot(spark, curated, "session_documents")
    assert isinstance(session.pop("_curated_at"), datetime)
    assert session == {
        "session_id": "abcd-efgh-ijkl-1234", "customer_id": 12345,
        "start_time": datetime(2024, 9, 18, 13, 5), "end_time": datetime(2024, 9, 18, 13, 30),
        "pages_visited": [{"page_name": "Product Page", "visit_timestamp": datetime(2024, 9, 18, 13, 5), "product_id": 987}],
        "actions": [{"action": "checkout_attempt", "product_id": None, "timestamp": datetime(2024, 9, 18, 13, 30),
                     "status": "abandoned"}],
        "_source_file": "dynamodb/sessions/AWSDynamoDB/01700000000000-aaaa0001/data/file000.json.gz",
        # the partition folders (Spark infers export_date as a date; the catalog declares it a string)
        "export_date": date(2026, 1, 5), "export_id": "01700000000000-aaaa0001",
    }
    [review] = read_snapshot(spark, curated, "product_review_documents")
    assert {k: review[k] for k in ("review_id", "rating", "verified_purchase", "review_media", "review_date")} == {
        "review_id": 23456, "rating": 4.5, "verified_purchase": True,
        "review_media": [{"media_type": "image", "url": "https://example.com/r1.jpg"}],
        "review_date": datetime(2024, 9, 15, 12, 0),
    }
    assert not set(review) & {"review_key", "review_event_time", "review_event_id", "updated_at"}
    [meta] = read_snapshot(spark, curated, "product_metadata_documents")
    assert meta["metadata"] == {
        "specifications": {"battery_life": "10 hours", "weight_g": "250.5", "waterproof": "true"},
        "images": [{"url": "https://example.com/img1.jpg", "alt_text": "Image 1"}], "tags": ["wireless", "bluetooth"],
    }


def test_contract_violations_undecodable_items_and_bad_files_are_quarantined(spark, first_run):
    e = first_run["report"]["datasets"]["product_review_documents"]
    assert e["read"] == 27 and e["lines_read"] == 4 and e["written"] == 1
    assert e["quarantined"] == {"CONTRACT_VIOLATION": 2, "UNDECODABLE_ITEM": 1, "UNREADABLE_FILE": 23}
    assert e["reconciled"] is True
    quarantine = read_quarantine(spark, first_run["curated"], "product_review_documents")
    violations = sorted((r["reason"], json.loads(r["raw_line"])["Item"]["review_id"]["N"]) for r in quarantine
                        if r["reason_code"] == "CONTRACT_VIOLATION")
    assert violations == [("attribute(s) not in contract product-review nor internal to table product-reviews: mood", "23458"),
                          ("rating is outside [1, 5]", "23457")]
    rows = {(r["reason_code"], r["_source_file"].rsplit("/", 1)[-1]): r for r in quarantine}
    assert "unknown DynamoDB type descriptor 'Q'" in rows[("UNDECODABLE_ITEM", "file000.json.gz")]["reason"]
    assert rows[("UNREADABLE_FILE", "file001.json.gz")]["reason"].startswith("cannot read gzip")
    assert rows[("UNREADABLE_FILE", "file002.json.gz")]["reason"].startswith("data file listed in manifest-files.json is missing")
    assert rows[("UNREADABLE_FILE", "file001.json.gz")]["raw_line"] is None
    assert {r["run_id"] for r in quarantine} == {"run-1"} and {r["dataset"] for r in quarantine} == {"product_review_documents"}


def test_run_report_reconciles_and_names_the_export(first_run):
    r = first_run["report"]
    assert r["reconciled"] is True
    s = r["datasets"]["session_documents"]
    assert (s["export_id"], s["read"], s["written"], s["quarantined"], s["status"]) == (
        "01700000000000-aaaa0001", 1, 1, {}, "curated")
    assert s["manifest_check"] == {"items": 1, "files": 1, "unreadable_files": [], "mismatched": []}
    assert r["datasets"]["customer_interaction_documents"]["status"] == "no export"
    assert r["totals"] == {"read": 1 + 27 + 1 + 0, "written": 3, "quarantined": 26}
    saved = json.loads((first_run["curated"] / "_state" / job.JOB_NAME / "runs" / "run-1.json").read_text())
    assert saved["totals"] == r["totals"]


def test_empty_table_export_is_an_empty_snapshot(spark, first_run):
    e = first_run["report"]["datasets"]["application_log_documents"]
    assert (e["read"], e["written"], e["quarantined"], e["reconciled"]) == (0, 0, {}, True)
    snap = (first_run["curated"] / "curated" / "application_log_documents" / "export_date=2026-01-06"
            / "export_id=01700000000000-dddd0001")
    assert snap.is_dir()
    assert spark.read.parquet(str(snap)).count() == 0
    latest = json.loads((first_run["curated"] / "_state" / job.JOB_NAME / "latest.json").read_text())
    assert latest["application_log_documents"]["rows"] == 0


def test_the_same_export_twice_changes_nothing(first_run):
    second = first_run["second"]
    assert {d["status"] for n, d in second["datasets"].items() if n != "customer_interaction_documents"} == {"already curated"}
    assert second["totals"] == {"read": 0, "written": 0, "quarantined": 0}
    assert files_under(first_run["curated"] / "curated") == first_run["after_first"]


def test_a_newer_export_adds_a_snapshot_and_becomes_the_latest(spark, first_run, tmp_path):
    raw, curated = first_run["raw"], first_run["curated"]
    newer = {**SESSION, "end_time": "2024-09-18T14:00:00.000Z"}
    write_export(raw, "sessions", "01800000000000-aaaa0002", "2026-01-07T00:10:00Z", [[item_line(newer)]])
    report = job.main(["--raw-root", str(raw), "--curated-root", str(curated), "--tables", "sessions", "--run-id", "run-3"])
    assert report["datasets"]["session_documents"]["written"] == 1
    rows = read_snapshot(spark, curated, "session_documents")
    assert sorted((r["export_id"], r["end_time"]) for r in rows) == [
        ("01700000000000-aaaa0001", datetime(2024, 9, 18, 13, 30)), ("01800000000000-aaaa0002", datetime(2024, 9, 18, 14, 0))]
    latest = json.loads((curated / "_state" / job.JOB_NAME / "latest.json").read_text())["session_documents"]
    assert latest["path"] == "curated/session_documents/export_date=2026-01-07/export_id=01800000000000-aaaa0002"
    state = json.loads((curated / "_state" / job.JOB_NAME / "exports.json").read_text())
    assert sorted(state["tables"]["sessions"]["exports"]) == ["01700000000000-aaaa0001", "01800000000000-aaaa0002"]


def test_a_manifest_that_does_not_match_its_files_fails_and_writes_nothing(spark, tmp_path):
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    write_export(raw, "sessions", "01700000000000-eeee0001", "2026-01-05T00:00:00Z", [[item_line(SESSION)]], item_counts=[2])
    with pytest.raises(job.ReconciliationError, match=r"manifest itemCount 2, lines read 1.*wrote nothing"):
        job.main(["--raw-root", str(raw), "--curated-root", str(curated), "--tables", "sessions", "--run-id", "bad"])
    assert not (curated / "curated").exists()
    assert not (curated / "_state" / job.JOB_NAME / "exports.json").exists()


def test_a_table_is_exported_again_only_once_its_newest_export_is_older_than_the_interval():
    from datetime import datetime as dt

    from jobs.dynamodb_documents_to_curated import tables_due_for_export

    now = dt(2024, 9, 20, 12, 0)
    newest = {"sessions": dt(2024, 9, 20, 1, 0), "product-reviews": dt(2024, 9, 19, 11, 0), "application-logs": None}
    assert tables_due_for_export(newest, now, 24) == ["product-reviews", "application-logs"]
    assert tables_due_for_export(newest, now, 0) == ["sessions", "product-reviews", "application-logs"]
    assert tables_due_for_export(newest, now, 11) == ["sessions", "product-reviews", "application-logs"]


class FakeDynamoDB:
    """A stand-in for boto3's DynamoDB client in the AWS-only export path: it records the requests and
    reports each export IN_PROGRESS once, then COMPLETED."""

    def __init__(self):
        self.requests = []
        self.polls = {}

    def describe_table(self, TableName):  # noqa: N803 - boto3's parameter names
        return {"Table": {"TableArn": f"arn:aws:dynamodb:eu-west-1:111111111111:table/{TableName}"}}

    def export_table_to_point_in_time(self, **request):
        self.requests.append(request)
        return {"ExportDescription": {"ExportArn": f"{request['TableArn']}/export/0171-{len(self.requests)}"}}

    def describe_export(self, ExportArn):  # noqa: N803
        self.polls[ExportArn] = self.polls.get(ExportArn, 0) + 1
        if self.polls[ExportArn] == 1:
            return {"ExportDescription": {"ExportStatus": "IN_PROGRESS"}}
        table = ExportArn.split("table/ecom-dev-")[1].split("/export")[0]
        return {"ExportDescription": {"ExportStatus": "COMPLETED",
                                      "ExportManifest": f"lake/dynamodb/{table}/AWSDynamoDB/0171/manifest-summary.json"}}


def test_the_aws_export_path_exports_only_the_tables_due_into_the_raw_prefix_and_waits_for_them():
    from datetime import datetime as dt

    from common.document_datasets import load_document_datasets
    from jobs.dynamodb_documents_to_curated import parse_args, start_exports

    args = parse_args(["--raw-root", "s3://raw-bucket/lake", "--curated-root", "s3://curated", "--run-id", "r1",
                       "--export-mode", "start", "--table-prefix", "ecom-dev", "--kms-key-arn", "arn:aws:kms:k",
                       "--export-interval-hours", "24"])
    datasets = [d for d in load_document_datasets() if d.table_id in ("sessions", "product-reviews")]
    now = dt(2024, 9, 20, 12, 0)
    recent = {"sessions": dt(2024, 9, 20, 6, 0)}  # exported 6 hours ago: not due
    fake = FakeDynamoDB()
    loaded, slept = [], []
    exports = start_exports(
        args, datasets, ddb=fake,
        newest=lambda root, table: (type("E", (), {"export_time": recent[table]})() if table in recent else None),
        load=lambda root, table, key: loaded.append((root, table, key)) or f"export of {table}",
        now=now, sleep=slept.append,
    )
    assert exports == {"product-reviews": "export of product-reviews"}
    assert fake.requests == [{
        "TableArn": "arn:aws:dynamodb:eu-west-1:111111111111:table/ecom-dev-product-reviews",
        "S3Bucket": "raw-bucket", "S3Prefix": "lake/dynamodb/product-reviews",
        "ExportFormat": "DYNAMODB_JSON", "ExportType": "FULL_EXPORT",
        "ClientToken": "dynamodb_documents_to_curated-r1-product-reviews",
        "S3SseAlgorithm": "KMS", "S3SseKmsKeyId": "arn:aws:kms:k",
    }]
    # the manifest key is read relative to the raw root's prefix; one wait between the two polls
    assert loaded == [("s3://raw-bucket/lake", "product-reviews", "dynamodb/product-reviews/AWSDynamoDB/0171/manifest-summary.json")]
    assert slept == [30]


def test_the_aws_export_path_refuses_a_local_raw_root_and_a_missing_table_prefix():
    import pytest as _pytest

    from common.document_datasets import load_document_datasets
    from jobs.dynamodb_documents_to_curated import parse_args, start_exports

    datasets = load_document_datasets()
    local = parse_args(["--raw-root", "/tmp/raw", "--curated-root", "/tmp/c", "--export-mode", "start", "--table-prefix", "x"])
    with _pytest.raises(ValueError, match="needs an s3:// --raw-root"):
        start_exports(local, datasets, ddb=FakeDynamoDB())
    unnamed = parse_args(["--raw-root", "s3://b", "--curated-root", "s3://c", "--export-mode", "start"])
    with _pytest.raises(ValueError, match="needs --table-prefix"):
        start_exports(unnamed, datasets, ddb=FakeDynamoDB())
