/**
 * Flattens a contract into one self-contained object schema: every $ref inlined, every allOf of
 * object schemas merged (properties and required lists united), conditional rules (if/then) dropped.
 *
 * Validation always uses the real schemas (contracts/validate.ts). The flat form serves tools that
 * only need the shape: the TypeScript type generator, and the Glue catalog and Spark schemas of
 * later stages, which read the same files.
 */
import * as path from 'node:path';
import { CONTRACTS, ContractName } from './registry';
import { SCHEMA_FILES } from './schema-files';

/** Where the schema files live (for tools and tests; the code itself imports them statically). */
export const SCHEMA_DIR = path.join(__dirname, 'schemas');

type Json = Record<string, unknown>;

function loadFile(file: string): Json {
  const schema = SCHEMA_FILES[file];
  if (!schema) {
    throw new Error(
      `No schema file '${file}' in contracts/schema-files.ts; add the file there when you add it to contracts/schemas`,
    );
  }
  return schema;
}

/** Loads the raw JSON Schema of a contract. */
export function loadSchema(name: ContractName): Json {
  return loadFile(CONTRACTS[name]);
}

/** All schema files, as ajv needs them to resolve references between files. */
export function loadAllSchemaFiles(): Json[] {
  return Object.keys(SCHEMA_FILES).sort().map(loadFile);
}

function resolveRef(ref: string, currentFile: string): { schema: Json; file: string } {
  const [filePart, pointer = ''] = ref.split('#');
  const file = filePart === '' ? currentFile : filePart;
  let node: unknown = loadFile(file);
  for (const key of pointer.split('/').filter(Boolean)) {
    node = (node as Json)[key];
    if (node === undefined) throw new Error(`Unresolvable $ref ${ref} from ${currentFile}`);
  }
  return { schema: node as Json, file };
}

const DROPPED = new Set(['$schema', '$id', '$defs', 'if', 'then', 'else', 'unevaluatedProperties']);

function flattenNode(node: Json, file: string): Json {
  let out: Json = {};
  if (typeof node.$ref === 'string') {
    const { schema, file: refFile } = resolveRef(node.$ref, file);
    out = mergeObjectSchemas(out, flattenNode(schema, refFile));
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' || DROPPED.has(key)) continue;
    if (key === 'allOf') {
      for (const part of value as Json[]) {
        const flat = flattenNode(part, file);
        if (Object.keys(flat).length > 0) out = mergeObjectSchemas(out, flat);
      }
    } else if (key === 'properties') {
      const props: Json = {};
      for (const [p, s] of Object.entries(value as Json)) props[p] = flattenNode(s as Json, file);
      out = mergeObjectSchemas(out, { properties: props });
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = typeof value === 'object' && value !== null ? flattenNode(value as Json, file) : value;
    } else if (key === 'anyOf' || key === 'oneOf') {
      out[key] = (value as Json[]).map((v) => flattenNode(v, file));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function mergeObjectSchemas(a: Json, b: Json): Json {
  const merged: Json = { ...a, ...b };
  if (a.properties || b.properties) {
    // Later parts refine earlier ones (an event narrows the envelope's event_type to its enum).
    merged.properties = { ...((a.properties as Json) ?? {}), ...((b.properties as Json) ?? {}) };
  }
  if (a.required || b.required) {
    merged.required = [
      ...new Set([...((a.required as string[]) ?? []), ...((b.required as string[]) ?? [])]),
    ];
  }
  return merged;
}

/**
 * The flat, closed object schema of a contract: its title, description, properties (with
 * references inlined) and required fields.
 */
export function flattenContract(name: ContractName): Json {
  const raw = loadSchema(name);
  const flat = flattenNode(raw, CONTRACTS[name]);
  if (flat.type === undefined && flat.properties) flat.type = 'object';
  flat.additionalProperties = false;
  flat.title = raw.title;
  flat.description = raw.description;
  return flat;
}
