/**
 * Validation against the data contracts with Ajv (JSON Schema 2020-12). Validators are compiled
 * once per process, so a Lambda pays for compilation at cold start only.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  CONTRACTS,
  ContractName,
  EventContractName,
  SUPPORTED_SCHEMA_VERSION,
  contractOfEventType,
} from './registry';
import { loadAllSchemaFiles } from './flatten';

let ajv: Ajv2020 | undefined;
const compiled = new Map<ContractName, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    for (const schema of loadAllSchemaFiles()) ajv.addSchema(schema);
  }
  return ajv;
}

/** The compiled validator of one contract. */
export function validatorFor(name: ContractName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    fn = getAjv().getSchema(CONTRACTS[name]);
    if (!fn) throw new Error(`No schema registered for contract ${name} (${CONTRACTS[name]})`);
    compiled.set(name, fn);
  }
  return fn;
}

/** Turns Ajv's errors into one sentence a person can act on, naming the field. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .slice(0, 3)
    .map((e) => {
      const where = e.instancePath === '' ? '(root)' : e.instancePath;
      if (e.keyword === 'required')
        return `${where} is missing required field '${String(e.params.missingProperty)}'`;
      if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
        const extra = e.params.additionalProperty ?? e.params.unevaluatedProperty;
        return `${where} has unknown field '${String(extra)}'`;
      }
      if (e.keyword === 'enum') return `${where} must be one of ${JSON.stringify(e.params.allowedValues)}`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

export type ContractCheck = { ok: true } | { ok: false; message: string };

/** Validates a value against a named contract. */
export function checkContract(name: ContractName, value: unknown): ContractCheck {
  const fn = validatorFor(name);
  return fn(value) ? { ok: true } : { ok: false, message: describeErrors(fn.errors) };
}

/** Why an event was refused, as a stable machine-readable code plus a sentence for people. */
export type EventRejectionCode =
  | 'NOT_AN_OBJECT'
  | 'MISSING_ENVELOPE'
  | 'UNKNOWN_EVENT_TYPE'
  | 'UNSUPPORTED_SCHEMA_VERSION'
  | 'CONTRACT_VIOLATION';

export type EventCheck =
  { ok: true; contract: EventContractName } | { ok: false; code: EventRejectionCode; message: string };

/**
 * Checks a decoded event: that it is an object with the envelope, that its event type is known,
 * that its schema_version is one this code understands, and then its full contract.
 */
export function checkEvent(value: unknown): EventCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'NOT_AN_OBJECT', message: `event must be a JSON object, got ${kindOf(value)}` };
  }
  const v = value as Record<string, unknown>;
  if (typeof v.event_type !== 'string') {
    return { ok: false, code: 'MISSING_ENVELOPE', message: "event is missing 'event_type' (a string)" };
  }
  const contract = contractOfEventType(v.event_type);
  if (!contract) {
    return {
      ok: false,
      code: 'UNKNOWN_EVENT_TYPE',
      message: `unknown event_type '${v.event_type.slice(0, 80)}'; add it to a contract in contracts/schemas before sending it`,
    };
  }
  if (typeof v.schema_version === 'number' && v.schema_version > SUPPORTED_SCHEMA_VERSION) {
    return {
      ok: false,
      code: 'UNSUPPORTED_SCHEMA_VERSION',
      message: `schema_version ${v.schema_version} of ${v.event_type} is newer than the supported ${SUPPORTED_SCHEMA_VERSION}; deploy a transformer that knows it, then redrive`,
    };
  }
  const check = checkContract(contract, value);
  return check.ok
    ? { ok: true, contract }
    : { ok: false, code: 'CONTRACT_VIOLATION', message: `${contract}: ${check.message}` };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
