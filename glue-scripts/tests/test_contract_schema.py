"""The Spark schemas derived from the contracts: their shape, and that the original design's
documents load with them on a real local Spark."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import types as T

from common.contract_schema import FLAT_SCHEMA_DIR, MONEY, contract_struct, load_flat_schema, spark_type

SEED_DIR = Path(__file__).resolve().parents[2] / "contracts" / "examples" / "seed"


def test_every_flat_contract_maps_to_a_spark_schema():
    names = sorted(p.stem for p in FLAT_SCHEMA_DIR.glob("*.json"))
    assert "order-event" in names and "session" in names
    for name in names:
        assert isinstance(contract_struct(name), T.StructType), name


def test_order_event_columns_follow_the_contract():
    schema = contract_struct("order-event")
    fields = {f.name: f for f in schema.fields}
    assert fields["event_id"].dataType == T.StringType() and not fields["event_id"].nullable
    assert fields["event_time"].dataType == T.TimestampType()
    assert fields["customer_id"].dataType == T.LongType() and fields["customer_id"].nullable
    line = fields["lines"].dataType.elementType
    assert {f.name: f.dataType for f in line.fields}["unit_price"] == MONEY
    assert fields["campaign_id"].dataType == T.StringType()


def test_free_form_specifications_become_a_string_map():
    metadata = {f.name: f for f in contract_struct("product-metadata").fields}["metadata"].dataType
    specs = {f.name: f for f in metadata.fields}["specifications"].dataType
    assert specs == T.MapType(T.StringType(), T.StringType())


def test_an_unknown_contract_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="known contracts: .*order-event"):
        load_flat_schema("orders-v9")


def test_an_unmappable_type_is_refused_with_its_path():
    with pytest.raises(ValueError, match=r"x\.y: JSON Schema type 'null'"):
        spark_type({"type": "null"}, "x.y")


@pytest.mark.parametrize(
    "contract,seed",
    [
        ("customer-interaction", "customer_interactions.json"),
        ("product-review", "product_reviews.json"),
        ("session", "session_data.json"),
        ("application-log", "application_logs.json"),
        ("product-metadata", "product_metadata.json"),
    ],
)
def test_seed_documents_load_with_their_contract_schema(spark, tmp_path, contract, seed):
    doc = json.loads((SEED_DIR / seed).read_text())
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    df = spark.read.schema(contract_struct(contract)).option("mode", "FAILFAST").json(str(path))
    rows = df.collect()
    assert len(rows) == 1
    if contract == "product-review":
        assert rows[0]["rating"] == 4.5 and rows[0]["customer_id"] == 12345
    if contract == "session":
        assert [p["page_name"] for p in rows[0]["pages_visited"]] == ["Home Page", "Product Page"]


def test_money_is_exact_decimal(spark, tmp_path):
    path = tmp_path / "lines.json"
    path.write_text(json.dumps({"unit_price": "0.1"}) + "\n" + json.dumps({"unit_price": 0.2}) + "\n")
    schema = T.StructType([T.StructField("unit_price", MONEY)])
    total = spark.read.schema(schema).json(str(path)).groupBy().sum("unit_price").collect()[0][0]
    assert total == Decimal("0.3000")
