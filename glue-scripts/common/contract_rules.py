"""The rules of a contract that Spark can check on a parsed row, derived from the contract's flat
JSON Schema (``contracts/generated/flat/<contract>.json``) so that no job restates them.

Checked: required fields present, top-level string enums, patterns and maximum lengths, top-level
date-times that are RFC 3339 with an offset, ``minimum``/``maximum`` of numbers and Money anywhere
(also inside arrays of objects), and values of the wrong JSON type. Not checked here (the Lambda
transformers validate every record upstream with the full JSON Schema): nested patterns, enums and
lengths, array sizes, ``additionalProperties``. The top-level lengths matter: without them an
oversized record the transformer rejects (a 270 KB stack trace in ``reason``) would reach the
warehouse by the lake and the live tables and the warehouse would disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any, Callable

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from common.contract_schema import contract_struct, load_flat_schema

CORRUPT = "_corrupt_record"
RFC3339_OFFSET = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"


@dataclass(frozen=True)
class Rule:
    """One rule: a name for reports, the reason text, and a function from a row's columns to a boolean
    Column that is true when the row breaks the rule."""

    name: str
    reason: str
    violated: Callable[[], Column]


def _money_bounds(node: dict[str, Any]) -> dict[str, Any] | None:
    for variant in node.get("anyOf") or []:
        if variant.get("type") == "number":
            return variant
    return None


def _range_checks(node: dict[str, Any], path: str) -> list[tuple[str, str, Callable[[Column], Column]]]:
    """(path, bounds text, fn) for every bounded number under ``node``; fn maps the node's Column to
    a boolean Column true when a value is out of bounds."""
    bounded = _money_bounds(node) or node
    if "anyOf" in node and bounded is node:
        non_null = [v for v in node["anyOf"] if v.get("type") != "null"]
        return _range_checks(non_null[0], path) if len(non_null) == 1 else []
    if bounded.get("type") in ("integer", "number") and ("minimum" in bounded or "maximum" in bounded):
        lo, hi = bounded.get("minimum"), bounded.get("maximum")

        def out(c: Column, lo: Any = lo, hi: Any = hi) -> Column:
            conds = ([c < F.lit(lo)] if lo is not None else []) + ([c > F.lit(hi)] if hi is not None else [])
            return c.isNotNull() & reduce(lambda a, b: a | b, conds)

        return [(path, f"[{'' if lo is None else lo}, {'' if hi is None else hi}]", out)]
    if node.get("type") == "object" and "properties" in node:
        checks = []
        for name, child in node["properties"].items():
            for p, b, fn in _range_checks(child, f"{path}.{name}" if path else name):
                checks.append((p, b, _on_field(fn, name)))
        return checks
    if node.get("type") == "array":
        return [(p, b, _on_any_item(fn)) for p, b, fn in _range_checks(node.get("items", {}), f"{path}[]")]
    return []


def _on_field(fn: Callable[[Column], Column], name: str) -> Callable[[Column], Column]:
    """fn applied to field ``name`` of a struct Column."""
    return lambda c: fn(c[name])


def _on_any_item(fn: Callable[[Column], Column]) -> Callable[[Column], Column]:
    """True when fn holds for any item of an array Column (Spark's lambdas take exactly one argument,
    so fn is captured by this closure rather than a default argument)."""
    return lambda c: F.coalesce(F.exists(c, lambda x: fn(x)), F.lit(False))


class ContractRules:
    """The parse schema and the checkable rules of one contract."""

    def __init__(self, contract: str):
        self.contract = contract
        self.flat = load_flat_schema(contract)
        self.struct = contract_struct(contract)
        self.required: list[str] = list(self.flat.get("required", []))
        props: dict[str, Any] = self.flat["properties"]
        self.timestamp_fields = [f.name for f in self.struct.fields if isinstance(f.dataType, T.TimestampType)]
        self.columns = [f.name for f in self.struct.fields]
        self._enums = {n: p["enum"] for n, p in props.items() if p.get("type") == "string" and "enum" in p}
        self._patterns = {
            n: p["pattern"] for n, p in props.items() if p.get("type") == "string" and "pattern" in p
        }
        self._max_lengths = {
            n: p["maxLength"] for n, p in props.items() if p.get("type") == "string" and "maxLength" in p
        }
        self._ranges = [
            (path, bounds, fn, name)
            for name, child in props.items()
            if name != "schema_version"  # checked against the supported versions instead
            for path, bounds, fn in _range_checks(child, name)
        ]

    def range_bounds(self) -> list[tuple[str, str]]:
        """(path, ``[min, max]``) of every bounded number the rules check, nested ones as
        ``lines[].quantity``: what lib/lake/quality-rules.ts must turn into the same DQDL rules."""
        return [(path, bounds) for path, bounds, _fn, _name in self._ranges]

    def parse_struct(self) -> T.StructType:
        """The contract's schema with top-level date-times kept as text (so that a missing time and an
        unparseable one can be told apart) plus the corrupt-record column."""
        fields = [
            T.StructField(f.name, T.StringType(), True)
            if f.name in self.timestamp_fields
            else T.StructField(f.name, f.dataType, True)
            for f in self.struct.fields
        ]
        return T.StructType(fields + [T.StructField(CORRUPT, T.StringType(), True)])

    def required_rules(self) -> list[Rule]:
        """Required fields present and not null (key completeness)."""
        return [Rule(f"required:{n}", f"required field {n} is missing or null", lambda n=n: F.col(n).isNull())
                for n in self.required]

    def range_rules(self) -> list[Rule]:
        """Numbers and Money within their contract bounds (non-negative prices, ratings 1 to 5, ...)."""
        return [Rule(f"range:{p}", f"{p} is outside {b}", lambda fn=fn, top=top: fn(F.col(top)))
                for p, b, fn, top in self._ranges]

    def text_rules(self) -> list[Rule]:
        """Top-level date-times, enums, patterns and maximum lengths, checked on the parsed text."""
        rules = [
            Rule(
                f"timestamp:{n}",
                f"{n} is not an RFC 3339 date-time with an offset",
                lambda n=n: F.col(n).isNotNull() & (~F.col(n).rlike(RFC3339_OFFSET) | F.to_timestamp(F.col(n)).isNull()),
            )
            for n in self.timestamp_fields
        ]
        rules += [
            Rule(f"enum:{n}", f"{n} is not one of {', '.join(v)}", lambda n=n, v=v: F.col(n).isNotNull() & ~F.col(n).isin(v))
            for n, v in self._enums.items()
        ]
        rules += [
            Rule(f"pattern:{n}", f"{n} does not match {p}", lambda n=n, p=p: F.col(n).isNotNull() & ~F.col(n).rlike(p))
            for n, p in self._patterns.items()
        ]
        rules += [
            Rule(f"length:{n}", f"{n} is longer than {m} characters",
                 lambda n=n, m=m: F.col(n).isNotNull() & (F.length(F.col(n)) > F.lit(m)))
            for n, m in self._max_lengths.items()
        ]
        return rules

    def wrong_type_reason(self, raw_line: Column) -> Column:
        """For a row whose parse left a corrupt record: the reason, naming the top-level fields whose
        JSON value does not have the contract's type."""
        present = F.from_json(raw_line, T.MapType(T.StringType(), T.StringType()))
        names = [
            F.when(present[n].isNotNull() & F.col(n).isNull(), F.lit(n))
            for n in self.columns
            if n not in self.timestamp_fields
        ]
        listed = F.concat_ws(", ", *names)
        return F.when(
            F.col(CORRUPT).isNotNull(),
            F.when(listed != "", F.concat(F.lit("wrong JSON type for the contract in: "), listed)).otherwise(
                F.lit("a nested value has the wrong JSON type for the contract")
            ),
        )

    def violation_reason(self, raw_line: Column) -> Column:
        """A Column with every broken rule's reason joined by '; ' (empty string when none)."""
        parts = [self.wrong_type_reason(raw_line)] + [
            F.when(r.violated(), F.lit(r.reason)) for r in self.required_rules() + self.text_rules() + self.range_rules()
        ]
        return F.concat_ws("; ", *parts)
