"""Translates the warehouse SQL (Redshift dialect, sql/) to DuckDB for the local twin.

This file is the ONE place where Redshift-only syntax is handled for the twin (docs/DESIGN.md):

- physical clauses have no meaning on DuckDB and are dropped: DISTSTYLE, DISTKEY, SORTKEY,
  ENCODE, BACKUP, and WITH NO SCHEMA BINDING on views;
- character types lose their length (DuckDB's VARCHAR has none; the Redshift length still
  guards the real warehouse);
- COPY <table> FROM '<folder>' ... FORMAT AS PARQUET becomes an INSERT of the folder's Parquet
  files in column order (Redshift's COPY maps Parquet columns by position too); the twin's runner
  checks the file's column names against the table's before it runs it;
- streaming ingestion: CREATE EXTERNAL SCHEMA ... FROM KINESIS becomes a plain schema (recorded in
  twin_streaming.kinesis_schemas, so that a later run knows it: --kinesis-schemas), and each stream a
  materialized view reads becomes a table of that schema with the columns Redshift gives a Kinesis
  relation (kinesis_data BLOB for VARBYTE), which the twin's stream reader
  (twin/warehouse/stream-ingestion.ts) appends to;
- a streaming materialized view (CREATE MATERIALIZED VIEW ... AS a SELECT over one Kinesis
  relation, whatever its name) is materialized and refreshed incrementally, as Redshift's: it becomes
  a TABLE holding its rows (the columns and types of its SELECT), filled at creation from every
  record the relation already holds (a full refresh), plus, in the twin-only schema twin_streaming:
  a pending table of the relation's shape, the refresh view (the MV's SELECT over the pending table
  instead of the relation) and a row of twin_streaming.materialized_views naming them. An append
  (LocalWarehouse.appendToStream) puts the new records in the pending table, inserts the refresh
  view's rows into every MV of the relation, moves the records to the relation and empties the
  pending table, in one transaction: a refresh parses only the new records, and a query never sees
  a partial one. Streaming MVs are append-only, so that is the whole refresh (the twin refreshes on
  every append, AUTO REFRESH or not). DROP MATERIALIZED VIEW drops the MV's table, refresh view and
  catalog row;
- a materialized view over ordinary tables (the star's aggregates, V008) is materialized too, and
  refreshed in full when asked: it becomes a TABLE of its rows plus, in the twin-only schema twin_mv,
  a definition view (its SELECT). REFRESH MATERIALIZED VIEW empties the table and inserts the
  definition view's rows (Redshift refreshes such an MV incrementally when it can; the rows are the
  same). The twin does not refresh it by itself (AUTO REFRESH is Redshift's background work): the
  load run refreshes every MV of sql/registry.ts MATERIALIZED_VIEWS after its loads, on AWS and in
  the twin. REFRESH of a streaming MV is not needed (the twin refreshes those on every append) and
  fails for want of a definition view. For PostgreSQL (--postgres), a streaming MV is a plain view
  and an MV over tables is PostgreSQL's own MATERIALIZED VIEW, REFRESH unchanged;
- the Redshift-only functions the stream views use, with their null_if_invalid behaviour:
  IS_UTF8, FROM_VARBYTE, IS_VALID_JSON (an object; strict, as DuckDB's reader is not: trailing
  commas and NaN/Infinity outside strings make it false), JSON_EXTRACT_PATH_TEXT(..., TRUE),
  JSON_ARRAY_LENGTH(..., TRUE), JSON_EXTRACT_ARRAY_ELEMENT_TEXT(..., TRUE), and LEN(kinesis_data)
  (bytes of the VARBYTE), each as DuckDB's TRY(...) of its equivalent, so a malformed record gives
  NULL rather than an error, as on Redshift;
- access control (CREATE ROLE, GRANT ... TO ROLE, ALTER DEFAULT PRIVILEGES, in the strict forms
  ACCESS_CONTROL accepts) becomes a no-op: DuckDB has no roles, and the twin's API runs as itself;
- everything else (DATEADD, DATEDIFF, NVL, GETDATE, MERGE, TRY_CAST, window functions, ...) is
  sqlglot's Redshift-to-DuckDB translation, unchanged.

Usage: translate.py <in.json> <out.json> [--check | --postgres] [--kinesis-schemas=a,b]: reads a JSON array
of statements and writes a JSON array of results, each {"sql": "..."} (plus {"copy": {"table", "source"}} for a COPY) or
{"error": "..."}; with --check it only parses them as Redshift SQL. `{{placeholders}}` may appear
inside string literals only, so a load file is translated once and filled in afterwards.
"""
from __future__ import annotations

import json
import re
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
    """The statement's syntax trees, parsed strictly as Redshift SQL (raises on anything it cannot read,
    including a statement sqlglot only keeps as an opaque command; the ones sql/ may use, CREATE
    EXTERNAL SCHEMA ... FROM KINESIS, REFRESH MATERIALIZED VIEW and access control, are checked by
    their own patterns)."""
    if REFRESH_MATERIALIZED_VIEW.match(_strip_comments(statement)):
        return []  # checked whole by its pattern (sqlglot has no syntax tree for it)
    trees = [e for e in sqlglot.parse(statement, read="redshift", error_level=ErrorLevel.RAISE) if e is not None]
    for tree in trees:
        if (isinstance(tree, exp.Command) and not EXTERNAL_KINESIS_SCHEMA.match(_strip_comments(statement))
                and not _is_access_control(statement)):
            raise ValueError(f"not parsed as Redshift SQL (sqlglot kept it as an opaque command): {tree.sql()[:80]}")
    return trees


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


# The columns of a Kinesis relation in an external schema FROM KINESIS (kinesis_data is VARBYTE).
KINESIS_COLUMNS = (
    "approximate_arrival_timestamp TIMESTAMP, partition_key VARCHAR, shard_id VARCHAR, "
    "sequence_number VARCHAR, refresh_time TIMESTAMP, kinesis_data BLOB"
)
# The same for the warehouse benchmark's PostgreSQL schema (PostgreSQL's binary type is BYTEA).
KINESIS_COLUMNS_POSTGRES = KINESIS_COLUMNS.replace(" BLOB", " BYTEA")
EXTERNAL_KINESIS_SCHEMA = re.compile(
    r"^\s*CREATE\s+EXTERNAL\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s+FROM\s+KINESIS\s+"
    r"IAM_ROLE\s+'[^']+'\s*$",
    re.IGNORECASE,
)
# REFRESH MATERIALIZED VIEW, which sqlglot keeps as an opaque command: checked by this pattern.
REFRESH_MATERIALIZED_VIEW = re.compile(
    r"^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)"
    r"(?:\s+(?:RESTRICT|CASCADE))?\s*$",
    re.IGNORECASE,
)
# Access control (the API's database role, V006): DuckDB has no roles or grants, so the twin runs
# these as no-ops; each must match one of these strict forms to pass the Redshift check.
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
ACCESS_CONTROL = [
    re.compile(rf"^\s*CREATE\s+ROLE\s+{IDENT}\s*$", re.IGNORECASE),
    re.compile(rf"^\s*GRANT\s+(SELECT|USAGE)\s+ON\s+(SCHEMA\s+{IDENT}|ALL\s+TABLES\s+IN\s+SCHEMA\s+{IDENT})"
               rf"\s+TO\s+ROLE\s+{IDENT}\s*$", re.IGNORECASE),
    re.compile(rf"^\s*ALTER\s+DEFAULT\s+PRIVILEGES\s+IN\s+SCHEMA\s+{IDENT}\s+GRANT\s+SELECT\s+ON\s+TABLES"
               rf"\s+TO\s+ROLE\s+{IDENT}\s*$", re.IGNORECASE),
]
NO_OP = "SELECT 'access control has no meaning in the twin' AS skipped"


def _is_access_control(statement: str) -> bool:
    text = _strip_comments(statement)
    return any(p.match(text) for p in ACCESS_CONTROL)


# Schemas declared FROM KINESIS: so far in this run (a migration declares one before its views), and
# in earlier runs (--kinesis-schemas, which the twin reads from twin_streaming.kinesis_schemas).
kinesis_schemas: set[str] = set()


def _strip_comments(statement: str) -> str:
    return re.sub(r"--[^\n]*", "", re.sub(r"/\*.*?\*/", "", statement, flags=re.DOTALL))


def _try(node: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="TRY", expressions=[node])


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _redshift_function(node: exp.Expression) -> exp.Expression:
    """The stream views' Redshift-only functions as DuckDB expressions that give NULL, not an error."""
    if isinstance(node, exp.Length) and isinstance(node.this, exp.Column) and node.this.name.lower() == "kinesis_data":
        return _call("OCTET_LENGTH", node.this.copy())
    if isinstance(node, exp.JSONExtractScalar) and node.expressions:
        # JSON_EXTRACT_PATH_TEXT(json, 'key', TRUE): the key as a JSON path, NULL when not JSON.
        key = node.expression
        if not isinstance(key, exp.Literal) or not key.is_string:
            raise ValueError("JSON_EXTRACT_PATH_TEXT(..., TRUE): the twin handles one literal key")
        path = '$."' + key.this.replace('"', '\\"') + '"'
        return _try(_call("JSON_EXTRACT_STRING", _inner(node.this), exp.Literal.string(path)))
    if not isinstance(node, exp.Anonymous):
        return node
    name = str(node.this).upper()
    args = [_inner(a) for a in node.expressions]
    if name == "IS_UTF8":
        return exp.Not(this=exp.Is(this=_try(_call("DECODE", args[0])), expression=exp.Null()))
    if name == "FROM_VARBYTE":
        return _try(_call("DECODE", args[0]))
    if name == "IS_VALID_JSON":
        # DuckDB's JSON reader also accepts trailing commas and NaN/Infinity, which Redshift (and the
        # contract) refuse: outside string literals, neither may appear.
        bare = _call("REGEXP_REPLACE", args[0], exp.Literal.string(r'"(\\.|[^"\\])*"'), exp.Literal.string(""),
                     exp.Literal.string("g"))
        lenient = _call("REGEXP_MATCHES", bare, exp.Literal.string(r",\s*[}\]]|\b(NaN|-?Infinity)\b"))
        return exp.And(
            this=exp.Coalesce(
                this=exp.EQ(this=_try(_call("JSON_TYPE", args[0])), expression=exp.Literal.string("OBJECT")),
                expressions=[exp.false()],
            ),
            expression=exp.Not(this=exp.Coalesce(this=lenient, expressions=[exp.false()])),
        )
    if name == "JSON_ARRAY_LENGTH":
        return _try(_call("JSON_ARRAY_LENGTH", args[0]))
    if name == "JSON_EXTRACT_ARRAY_ELEMENT_TEXT":
        return _try(_call("JSON_EXTRACT_STRING", args[0], exp.Cast(this=args[1], to=exp.DataType.build("BIGINT"))))
    return node


def _inner(node: exp.Expression) -> exp.Expression:
    # transform() does not revisit the arguments of a node it replaced: translate them first.
    return node.copy().transform(_redshift_function)


def _kinesis_relations(tree: exp.Expression) -> list[exp.Table]:
    """The Kinesis relations a materialized view reads."""
    return [t for t in tree.find_all(exp.Table) if t.db and t.db.lower() in kinesis_schemas]


# The twin-only objects of the streaming MVs (see the module's docstring): a pending table per Kinesis
# relation, a refresh view per MV, and the catalog LocalWarehouse.appendToStream reads (its columns
# are the ones local-warehouse.ts selects).
STREAM_CATALOG_SCHEMA = "twin_streaming"
STREAM_CATALOG = f"{STREAM_CATALOG_SCHEMA}.materialized_views"
# The schemas declared FROM KINESIS, recorded for later runs (LocalWarehouse passes them back with
# --kinesis-schemas=a,b: a run translates only the pending migrations).
KINESIS_SCHEMAS = f"{STREAM_CATALOG_SCHEMA}.kinesis_schemas"
STREAM_CATALOG_COLUMNS = (
    "materialized_view VARCHAR NOT NULL, refresh_view VARCHAR NOT NULL, relation_schema VARCHAR NOT NULL, "
    "relation_name VARCHAR NOT NULL, pending_schema VARCHAR NOT NULL, pending_name VARCHAR NOT NULL"
)


def _unaliased(table: exp.Table) -> str:
    bare = table.copy()
    bare.set("alias", None)
    return bare.sql(dialect="duckdb")


def _quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def _string(value: str) -> str:
    return exp.Literal.string(value).sql(dialect="duckdb")


def _refresh_view(view: exp.Table) -> str:
    """The refresh view of a streaming MV, as SQL."""
    return f"{STREAM_CATALOG_SCHEMA}.{_quoted(f'refresh__{view.db}__{view.name}')}"


def _stream_names(view: exp.Table, relation: exp.Table) -> tuple[str, str, str]:
    """The pending table's name (unquoted), the refresh view's and the MV's (as SQL) of a streaming MV."""
    pending = f"pending__{relation.db}__{relation.name}"
    return pending, _refresh_view(view), view.sql(dialect="duckdb")


def _streaming_view(tree: exp.Create, relation: exp.Table) -> list[str]:
    """A materialized view over a Kinesis relation (already translated to DuckDB) as its table, pending
    table, refresh view and catalog row; the table is filled from the relation (a full refresh)."""
    view = tree.this
    if not isinstance(view, exp.Table) or not view.db:
        raise ValueError("CREATE MATERIALIZED VIEW: the twin needs a schema-qualified name")
    query = tree.expression
    pending, refresh, name = _stream_names(view, relation)
    pending_sql = f"{STREAM_CATALOG_SCHEMA}.{_quoted(pending)}"

    def over_pending(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.db.lower() == relation.db.lower() and node.name == relation.name:
            # The alias keeps columns qualified by the relation's name (or its alias) valid.
            return exp.to_table(pending_sql, dialect="duckdb").as_(node.alias_or_name, quoted=True)
        return node

    refresh_query = query.copy().transform(over_pending)
    return [
        f"CREATE TABLE IF NOT EXISTS {_unaliased(relation)} ({KINESIS_COLUMNS})",
        f"CREATE SCHEMA IF NOT EXISTS {STREAM_CATALOG_SCHEMA}",
        f"CREATE TABLE IF NOT EXISTS {pending_sql} ({KINESIS_COLUMNS})",
        f"CREATE TABLE IF NOT EXISTS {STREAM_CATALOG} ({STREAM_CATALOG_COLUMNS})",
        f"CREATE VIEW {refresh} AS {refresh_query.sql(dialect='duckdb', unsupported_level=ErrorLevel.RAISE)}",
        f"CREATE TABLE {name} AS {query.sql(dialect='duckdb', unsupported_level=ErrorLevel.RAISE)}",
        f"INSERT INTO {STREAM_CATALOG} VALUES ({_string(name)}, {_string(refresh)}, {_string(relation.db)}, "
        f"{_string(relation.name)}, {_string(STREAM_CATALOG_SCHEMA)}, {_string(pending)})",
    ]


def _drop_materialized_view(tree: exp.Drop) -> list[str]:
    """DROP MATERIALIZED VIEW: its table, and its refresh view and catalog row (a streaming MV; the
    pending table stays: another MV may read the relation) or its definition view (an MV over tables)."""
    out = []
    for view in tree.args.get("tables") or [tree.this]:
        name = view.sql(dialect="duckdb")
        refresh = _refresh_view(view)
        out += [
            f"CREATE SCHEMA IF NOT EXISTS {STREAM_CATALOG_SCHEMA}",
            f"CREATE TABLE IF NOT EXISTS {STREAM_CATALOG} ({STREAM_CATALOG_COLUMNS})",
            f"DELETE FROM {STREAM_CATALOG} WHERE materialized_view = {_string(name)}",
            f"DROP VIEW IF EXISTS {refresh}",
            f"DROP VIEW IF EXISTS {_definition_view(view.db, view.name)}",
            f"DROP TABLE {'IF EXISTS ' if tree.args.get('exists') else ''}{name}",
        ]
    return out


# The twin-only definition views of the MVs over ordinary tables (see the module's docstring).
MV_DEFINITION_SCHEMA = "twin_mv"


def _definition_view(schema: str, name: str) -> str:
    """The definition view of an MV over ordinary tables, as SQL."""
    return f"{MV_DEFINITION_SCHEMA}.{_quoted(f'definition__{schema.lower()}__{name.lower()}')}"


def _table_view(tree: exp.Create) -> list[str]:
    """A materialized view over ordinary tables (already translated to DuckDB) as its definition view
    and its table, filled at creation."""
    view = tree.this
    if not isinstance(view, exp.Table) or not view.db:
        raise ValueError("CREATE MATERIALIZED VIEW: the twin needs a schema-qualified name")
    definition = _definition_view(view.db, view.name)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {MV_DEFINITION_SCHEMA}",
        f"CREATE VIEW {definition} AS {tree.expression.sql(dialect='duckdb', unsupported_level=ErrorLevel.RAISE)}",
        f"CREATE TABLE {view.sql(dialect='duckdb')} AS SELECT * FROM {definition}",
    ]


def _refresh(schema: str, name: str) -> list[str]:
    """REFRESH MATERIALIZED VIEW of an MV over ordinary tables: a full refresh from its definition."""
    table = f"{_quoted(schema)}.{_quoted(name)}"
    return [f"DELETE FROM {table}", f"INSERT INTO {table} SELECT * FROM {_definition_view(schema, name)}"]


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
    if _is_access_control(statement):
        return NO_OP
    external = EXTERNAL_KINESIS_SCHEMA.match(_strip_comments(statement))
    if external:
        schema = external.group(1)
        kinesis_schemas.add(schema.lower())
        if dialect != "duckdb":
            return f"CREATE SCHEMA IF NOT EXISTS {schema}"
        # Recorded, so that a later run (a later migration's materialized view) knows it is Kinesis.
        return ";\n".join([
            f"CREATE SCHEMA IF NOT EXISTS {schema}",
            f"CREATE SCHEMA IF NOT EXISTS {STREAM_CATALOG_SCHEMA}",
            f"CREATE TABLE IF NOT EXISTS {KINESIS_SCHEMAS} (schema_name VARCHAR NOT NULL)",
            f"INSERT INTO {KINESIS_SCHEMAS} SELECT {_string(schema.lower())} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {KINESIS_SCHEMAS} WHERE schema_name = {_string(schema.lower())})",
        ])
    refresh = REFRESH_MATERIALIZED_VIEW.match(_strip_comments(statement))
    if refresh:
        if dialect != "duckdb":
            return f"REFRESH MATERIALIZED VIEW {refresh.group(1)}.{refresh.group(2)}"
        return ";\n".join(_refresh(refresh.group(1), refresh.group(2)))
    for tree in parse_redshift(statement):
        if isinstance(tree, exp.Copy):
            if dialect != "duckdb":
                raise ValueError("COPY translates for DuckDB only")
            out.append(_copy_to_insert(tree))
            continue
        if isinstance(tree, exp.Drop) and tree.args.get("materialized") and dialect == "duckdb":
            out.extend(_drop_materialized_view(tree))
            continue
        relations: list[exp.Table] = []
        over_tables = False
        if isinstance(tree, exp.Create):
            tree.set("no_schema_binding", False)
            props = tree.args.get("properties")
            if props is not None and any(isinstance(p, exp.MaterializedProperty) for p in props.expressions):
                relations = _kinesis_relations(tree)
                over_tables = not relations
                keep_materialized = over_tables and dialect != "duckdb"
                props.set("expressions", [
                    p for p in props.expressions
                    if not isinstance(p, exp.AutoRefreshProperty)
                    and not (isinstance(p, exp.MaterializedProperty) and not keep_materialized)
                ])
                if dialect != "duckdb":
                    # The warehouse benchmark's PostgreSQL schema: a streaming MV is a plain view over
                    # the relations; an MV over tables is PostgreSQL's own.
                    out.extend(f"CREATE TABLE IF NOT EXISTS {_unaliased(r)} ({KINESIS_COLUMNS_POSTGRES})"
                               for r in relations)
                    relations = []
                    over_tables = False
                elif len({(r.db.lower(), r.name) for r in relations}) > 1:
                    raise ValueError("CREATE MATERIALIZED VIEW: the twin handles one Kinesis relation per view")
        tree = tree.transform(_drop_physical)
        if dialect == "duckdb":
            tree = tree.transform(_redshift_function)
        if relations:
            out.extend(_streaming_view(tree, relations[0]))
            continue
        if over_tables:
            out.extend(_table_view(tree))
            continue
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
    for a in argv:
        if a.startswith("--kinesis-schemas="):
            kinesis_schemas.update(n.strip().lower() for n in a.split("=", 1)[1].split(",") if n.strip())
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
