"""Spark schemas derived from the data contracts.

The JSON Schemas in ``contracts/schemas`` are the single source of truth. ``npm run
contracts:generate`` writes one self-contained ("flat") schema per contract to
``contracts/generated/flat/<name>.json``; this module turns such a flat schema into a Spark
``StructType`` so that the Glue jobs and catalog tables never retype a column.

Mapping (documented in docs/DESIGN.md):
- integer -> LongType; number -> DoubleType; boolean -> BooleanType; string -> StringType
- string with format date-time -> TimestampType (UTC); format date -> DateType
- Money (a number or a decimal string) -> DecimalType(18, 4): exact, as the contract allows 4 decimals
- object with properties -> StructType; object with only additionalProperties -> MapType(string, string)
- array -> ArrayType(items); anyOf [X, null] -> X (nullable)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyspark.sql import types as T

from common.contract_files import read_contract_json

REPO_ROOT = Path(__file__).resolve().parents[2]
FLAT_SCHEMA_DIR = REPO_ROOT / "contracts" / "generated" / "flat"

MONEY = T.DecimalType(18, 4)


def load_flat_schema(contract: str, schema_dir: Path | None = None) -> dict[str, Any]:
    """Load the flat JSON Schema of a contract by name (for example ``order-event``): from
    ``schema_dir`` when given, else from the job's package or the repository (common.contract_files)."""
    if schema_dir is None:
        try:
            return read_contract_json(f"generated/flat/{contract}.json")
        except FileNotFoundError:
            schema_dir = FLAT_SCHEMA_DIR
    path = schema_dir / f"{contract}.json"
    if not path.exists():
        known = sorted(p.stem for p in schema_dir.glob("*.json"))
        raise FileNotFoundError(
            f"No flat schema for contract '{contract}' at {path}; known contracts: {', '.join(known)}. "
            "Run `npm run contracts:generate` after adding a schema."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _is_money(node: dict[str, Any]) -> bool:
    variants = node.get("anyOf") or []
    kinds = {v.get("type") for v in variants}
    return kinds == {"number", "string"}


def spark_type(node: dict[str, Any], where: str = "(root)") -> T.DataType:
    """The Spark type of one JSON Schema node of a flat contract."""
    if _is_money(node):
        return MONEY
    if "anyOf" in node:
        non_null = [v for v in node["anyOf"] if v.get("type") != "null"]
        if len(non_null) == 1:
            return spark_type(non_null[0], where)
        raise ValueError(f"{where}: cannot map anyOf {node['anyOf']} to one Spark type")
    kind = node.get("type")
    if isinstance(kind, list):
        # A free-form value such as a specification ("10 hours", 5.0, true) is kept as text.
        return T.StringType()
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date-time":
            return T.TimestampType()
        if fmt == "date":
            return T.DateType()
        return T.StringType()
    if kind == "integer":
        return T.LongType()
    if kind == "number":
        return T.DoubleType()
    if kind == "boolean":
        return T.BooleanType()
    if kind == "array":
        return T.ArrayType(spark_type(node.get("items", {}), f"{where}[]"), containsNull=False)
    if kind == "object":
        if "properties" in node:
            return struct_type(node, where)
        return T.MapType(T.StringType(), T.StringType())
    raise ValueError(f"{where}: JSON Schema type {kind!r} has no Spark mapping; extend contract_schema.spark_type")


def struct_type(node: dict[str, Any], where: str = "(root)") -> T.StructType:
    """The StructType of an object node: required fields are non-nullable, in declaration order."""
    required = set(node.get("required", []))
    return T.StructType(
        [
            T.StructField(name, spark_type(child, f"{where}.{name}"), nullable=name not in required)
            for name, child in node["properties"].items()
        ]
    )


def contract_struct(contract: str, schema_dir: Path | None = None) -> T.StructType:
    """The Spark schema of a contract, for example ``contract_struct("order-event")``."""
    return struct_type(load_flat_schema(contract, schema_dir), contract)
