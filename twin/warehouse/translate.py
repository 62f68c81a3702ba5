"""Translates the warehouse SQL (Redshift dialect, sql/) to DuckDB for the local twin.

This file is the ONE place where Redshift-only syntax is handled for the twin (docs/DESIGN.md):

- physical clauses have no meaning on DuckDB and are dropped: DISTSTYLE, DISTKEY, SORTKEY,
  ENCODE, BACKUP, and WITH NO SCHEMA BINDING on views;
- character types lose their length (DuckDB's VARCHAR has none; the Redshift length still
  guards the real warehouse);
- COPY <table> FROM '<folder>' ... FORMAT AS PARQUET becomes an INSERT of the folder's Parquet
  files in column order (Redshift's COPY maps Parquet columns by position too); the twin's runner
  checks the file's column names against the table's before it runs it;
- everything else (DATEADD, DATEDIFF, NVL, GETDATE, MERGE, window functions, ...) is sqlglot's
  Redshift-to-DuckDB translation, unchanged.

Usage: translate.py <in.json> <out.json> [--check | --postgres]: reads a JSON array of statements and writes a
JSON array of results, each {"sql": "..."} (plus {"copy": {"table", "source"}} for a COPY) or
{"error": "..."}; with --check it only parses them as Redshift SQL. `{{placeholders}}` may appear
inside string literals only, so a load file is translated once and filled in afterwards.
"""
from __future__ import annotations

import json
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

PHYSICAL_PROPERTIES = tuple(
    getattr(exp, name)
    for name in ("DistStyleProperty", "DistKeyProperty", "SortKeyProperty", "BackupProperty")
    if hasattr(exp, name)
)
CHARACTER_TYPES = {exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.NVARCHAR,
                   exp.DataType.Type.NCHAR, exp.DataType.Type.TEXT}


def parse_redshift(statement: str) -> list[exp.Expression]:
    """The statement's syntax trees, parsed strictly as Redshift SQL (raises on anything it cannot read)."""
    return [e for e in sqlglot.parse(statement, read="redshift", error_level=ErrorLevel.RAISE) if e is not None]


def _copy_to_insert(copy: exp.Copy) -> str:
    table = copy.this.sql(dialect="duckdb")
    files = copy.args.get("files") or []
    if len(files) != 1 or not isinstance(files[0], exp.Literal):
        raise ValueError("COPY: the twin handles one quoted source folder")
    params = {p.this.name.upper(): (p.expression.name.upper() if p.expression is not None else "") for p in copy.args.get("params") or []}
    if params.get("FORMAT") != "PARQUET":
        raise ValueError(f"COPY: the twin handles FORMAT AS PARQUET only, got {params.get('FORMAT') or 'none'}")
    folder = files[0].this.rstrip("/")
    source = exp.Literal.string(f"{folder}/*.parquet").sql(dialect="duckdb")
    return f"INSERT INTO {table} SELECT * FROM read_parquet({source}, hive_partitioning = false)"


def _drop_physical(node: exp.Expression) -> exp.Expression | None:
    if PHYSICAL_PROPERTIES and isinstance(node, PHYSICAL_PROPERTIES):
        return None
    if isinstance(node, exp.ColumnConstraint) and isinstance(node.args.get("kind"), exp.EncodeColumnConstraint):
        return None
    if isinstance(node, exp.DataType) and node.this in CHARACTER_TYPES:
        return exp.DataType.build("VARCHAR")
    return node


def copy_target(statement: str) -> dict[str, str] | None:
    """{"table", "source"} of a COPY statement, else None."""
    trees = parse_redshift(statement)
    if len(trees) == 1 and isinstance(trees[0], exp.Copy):
        files = trees[0].args.get("files") or []
        return {"table": trees[0].this.sql(dialect="duckdb"), "source": files[0].this.rstrip("/") if files else ""}
    return None


def to_duckdb(statement: str, dialect: str = "duckdb") -> str:
    """One Redshift statement as DuckDB SQL (or, for the warehouse benchmark's row-store comparison,
    as PostgreSQL with ``dialect="postgres"``; COPY is DuckDB-only)."""
    out = []
    for tree in parse_redshift(statement):
        if isinstance(tree, exp.Copy):
            if dialect != "duckdb":
                raise ValueError("COPY translates for DuckDB only")
            out.append(_copy_to_insert(tree))
            continue
        if isinstance(tree, exp.Create):
            tree.set("no_schema_binding", False)
        tree = tree.transform(_drop_physical)
        props = tree.args.get("properties") if isinstance(tree, exp.Create) else None
        if props is not None and not props.expressions:
            tree.set("properties", None)
        out.append(tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE))
    return ";\n".join(out)


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(paths[0], encoding="utf-8") as f:
        statements = json.load(f)
    check = "--check" in argv
    dialect = "postgres" if "--postgres" in argv else "duckdb"
    results = []
    for s in statements:
        try:
            if check:
                parse_redshift(s)
                results.append({"sql": s})
            else:
                result: dict = {"sql": to_duckdb(s, dialect)}
                copy = copy_target(s)
                if copy:
                    result["copy"] = copy
                results.append(result)
        except Exception as e:  # noqa: BLE001 - every failure is reported with its statement
            results.append({"error": f"{type(e).__name__}: {e}".replace("\x1b[4m", "").replace("\x1b[0m", "")})
    with open(paths[1], "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
