/**
 * Glue Data Catalog (Hive) column types derived from the flat contract schemas
 * (contracts/generated/flat/<contract>.json), with exactly the rules of
 * glue-scripts/common/contract_schema.py, so the catalog and the Glue jobs never type a column twice.
 * glue-scripts/tests/test_catalog_drift.py fails when the two mappings drift apart: it compares
 * Spark's `simpleString()` of every field with contracts/generated/glue-columns.json, which
 * scripts/generate-contract-types.ts writes from {@link glueColumns}.
 *
 * Mapping:
 * - integer -> bigint; number -> double; boolean -> boolean; string -> string
 * - string with format date-time -> timestamp; format date -> date
 * - Money (anyOf number | string) -> decimal(18,4)
 * - object with properties -> struct<name:type,...>; object with only additionalProperties -> map<string,string>
 * - array -> array<items>; anyOf [X, null] -> X; a list of types -> string
 */

/** A node of a flat JSON Schema, as far as the mapping reads it. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly anyOf?: readonly SchemaNode[];
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: unknown;
  readonly [key: string]: unknown;
}

/** One column of a catalog table. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

/** The type of money amounts: exact, as the contracts allow 4 decimals. */
export const MONEY_GLUE_TYPE = 'decimal(18,4)';

function isMoney(node: SchemaNode): boolean {
  const kinds = new Set((node.anyOf ?? []).map((v) => v.type));
  return kinds.size === 2 && kinds.has('number') && kinds.has('string');
}

/**
 * The Glue (Hive) type of one node of a flat contract schema. Throws naming the node's path when
 * the node has no mapping.
 */
export function glueType(node: SchemaNode, where = '(root)'): string {
  if (isMoney(node)) return MONEY_GLUE_TYPE;
  if (node.anyOf !== undefined) {
    const nonNull = node.anyOf.filter((v) => v.type !== 'null');
    if (nonNull.length === 1) return glueType(nonNull[0], where);
    throw new Error(`${where}: cannot map anyOf ${JSON.stringify(node.anyOf)} to one Glue type`);
  }
  const kind = node.type;
  if (Array.isArray(kind)) return 'string';
  switch (kind) {
    case 'string':
      if (node.format === 'date-time') return 'timestamp';
      if (node.format === 'date') return 'date';
      return 'string';
    case 'integer':
      return 'bigint';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `array<${glueType(node.items ?? {}, `${where}[]`)}>`;
    case 'object':
      if (node.properties !== undefined) {
        const fields = Object.entries(node.properties).map(
          ([name, child]) => `${name}:${glueType(child, `${where}.${name}`)}`,
        );
        return `struct<${fields.join(',')}>`;
      }
      return 'map<string,string>';
    default:
      throw new Error(
        `${where}: JSON Schema type ${JSON.stringify(kind)} has no Glue mapping; extend glueType (and contract_schema.spark_type)`,
      );
  }
}

/** The columns of a flat contract schema (an object with properties), in declaration order. */
export function glueColumns(schema: SchemaNode, where = '(root)'): GlueColumn[] {
  if (schema.properties === undefined) {
    throw new Error(`${where}: a contract schema must be an object with properties`);
  }
  return Object.entries(schema.properties).map(([name, child]) => ({
    name,
    type: glueType(child, `${where}.${name}`),
  }));
}
