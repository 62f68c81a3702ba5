"""The Glue catalog (TypeScript) and the Glue jobs (Python) type every column the same way.

lib/lake/glue-types.ts maps the flat contract schemas to Hive types and
scripts/generate-contract-types.ts writes them to contracts/generated/glue-columns.json; the jobs
build their Spark schemas with common.contract_schema. A change to one mapping without the other
fails here, naming the contract, the column and both types.
"""

from __future__ import annotations

import json

import pytest

from common.contract_schema import FLAT_SCHEMA_DIR, REPO_ROOT, contract_struct

GLUE_COLUMNS_PATH = REPO_ROOT / "contracts" / "generated" / "glue-columns.json"
DATASETS_PATH = REPO_ROOT / "contracts" / "datasets.json"

GLUE_COLUMNS: dict[str, list[dict[str, str]]] = json.loads(GLUE_COLUMNS_PATH.read_text(encoding="utf-8"))


def test_every_flat_contract_has_catalog_columns():
    flat = sorted(p.stem for p in FLAT_SCHEMA_DIR.glob("*.json"))
    assert sorted(GLUE_COLUMNS) == flat


def test_every_curated_dataset_contract_has_catalog_columns():
    datasets = json.loads(DATASETS_PATH.read_text(encoding="utf-8"))["event_datasets"]
    missing = [d["contract"] for d in datasets if d["contract"] not in GLUE_COLUMNS]
    assert missing == []


@pytest.mark.parametrize("contract", sorted(GLUE_COLUMNS))
def test_catalog_column_types_match_the_spark_schema(contract: str):
    spark_columns = [
        {"name": field.name, "type": field.dataType.simpleString()} for field in contract_struct(contract).fields
    ]
    assert GLUE_COLUMNS[contract] == spark_columns, (
        f"contracts/generated/glue-columns.json and contract_schema.contract_struct('{contract}') disagree; "
        "keep lib/lake/glue-types.ts and glue-scripts/common/contract_schema.py in step, "
        "then run `npm run contracts:generate`"
    )
