/**
 * A narrow port over the Redshift Data API, the only way the warehouse runners talk to Redshift
 * Serverless: submit a statement or a batch (one transaction), describe it, list a run's statements
 * by name, and read a result. The runners' logic depends on {@link WarehouseDataApi}; tests give it
 * a fake, AWS gives it {@link RedshiftDataApi} over the SDK client.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  type Field,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';

/** Where statements run: a Serverless workgroup and database, signed in with a Secrets Manager secret. */
export interface DataApiTarget {
  readonly workgroupName: string;
  readonly database: string;
  /** ARN of the secret with `username` and `password` (the namespace's admin secret). */
  readonly secretArn: string;
}

/** The states of a Data API statement. */
export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

/** A statement as ListStatements reports it. */
export interface StatementSummary {
  readonly id: string;
  readonly name: string;
  readonly status: StatementStatus;
  readonly createdAt?: Date;
}

/** One statement of a batch, as DescribeStatement reports it. */
export interface SubStatementOutcome {
  /** Its position in the batch, from 1. */
  readonly index: number;
  readonly status: StatementStatus;
  readonly error?: string;
}

/** A statement (or batch) as DescribeStatement reports it. */
export interface StatementDescription {
  readonly id: string;
  readonly status: StatementStatus;
  readonly error?: string;
  /** The statements of a batch, in order (empty for a single statement). */
  readonly subStatements: readonly SubStatementOutcome[];
}

/** A value of a result row: text, number, boolean or SQL NULL. */
export type CellValue = string | number | boolean | null;

/** A named parameter bound to `:name` in a statement. */
export interface BoundParameter {
  readonly name: string;
  readonly value: string;
}

/** What the runners need from the Data API. */
export interface WarehouseDataApi {
  /** Submits statements as ONE transaction; returns the batch's id. */
  batch(sqls: readonly string[], name: string): Promise<string>;
  /** Submits one statement with bound parameters; returns its id. */
  execute(sql: string, parameters: readonly BoundParameter[], name: string): Promise<string>;
  describe(id: string): Promise<StatementDescription>;
  /** Every statement of this role whose name starts with `prefix` (last 24 hours). */
  listByName(prefix: string): Promise<StatementSummary[]>;
  /** The rows of a finished statement (`<batch id>:<n>` for the n-th of a batch). */
  records(id: string): Promise<CellValue[][]>;
}

/** The part of the SDK client the adapter uses (a fake in tests). */
export interface DataApiClient {
  send(command: object): Promise<unknown>;
}

/** Statements that have not reached a final state. */
export const RUNNING_STATUSES: readonly StatementStatus[] = ['SUBMITTED', 'PICKED', 'STARTED'];

/** True when the statement may still change state. */
export function isRunning(status: StatementStatus): boolean {
  return RUNNING_STATUSES.includes(status);
}

/**
 * Most statements a Data API batch takes (BatchExecuteStatement `Sqls`: 1 to 40 items, Redshift
 * Data API reference).
 */
export const MAX_BATCH_STATEMENTS = 40;

/** Largest statement the Data API accepts (100 KB, Redshift Data API quotas). */
export const MAX_STATEMENT_BYTES = 100 * 1024;

function cell(field: Field): CellValue {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  return null;
}

/** {@link WarehouseDataApi} over `@aws-sdk/client-redshift-data`. */
export class RedshiftDataApi implements WarehouseDataApi {
  constructor(
    private readonly client: DataApiClient,
    private readonly target: DataApiTarget,
  ) {}

  private get where() {
    return {
      WorkgroupName: this.target.workgroupName,
      Database: this.target.database,
      SecretArn: this.target.secretArn,
    };
  }

  async batch(sqls: readonly string[], name: string): Promise<string> {
    const out = (await this.client.send(
      new BatchExecuteStatementCommand({ ...this.where, Sqls: [...sqls], StatementName: name }),
    )) as { Id?: string };
    if (!out.Id) throw new Error(`BatchExecuteStatement ${name} returned no statement id`);
    return out.Id;
  }

  async execute(sql: string, parameters: readonly BoundParameter[], name: string): Promise<string> {
    const out = (await this.client.send(
      new ExecuteStatementCommand({
        ...this.where,
        Sql: sql,
        StatementName: name,
        Parameters:
          parameters.length > 0
            ? parameters.map((p): SqlParameter => ({ name: p.name, value: p.value }))
            : undefined,
      }),
    )) as { Id?: string };
    if (!out.Id) throw new Error(`ExecuteStatement ${name} returned no statement id`);
    return out.Id;
  }

  async describe(id: string): Promise<StatementDescription> {
    const out = (await this.client.send(new DescribeStatementCommand({ Id: id }))) as {
      Id?: string;
      Status?: string;
      Error?: string;
      SubStatements?: { Id?: string; Status?: string; Error?: string }[];
    };
    return {
      id: out.Id ?? id,
      status: (out.Status ?? 'SUBMITTED') as StatementStatus,
      error: out.Error || undefined,
      subStatements: (out.SubStatements ?? []).map((s, i) => ({
        index: subStatementIndex(s.Id) ?? i + 1,
        status: (s.Status ?? 'SUBMITTED') as StatementStatus,
        error: s.Error || undefined,
      })),
    };
  }

  async listByName(prefix: string): Promise<StatementSummary[]> {
    const found: StatementSummary[] = [];
    let next: string | undefined;
    do {
      const out = (await this.client.send(
        new ListStatementsCommand({
          StatementName: prefix,
          Status: 'ALL',
          RoleLevel: true,
          MaxResults: 100,
          NextToken: next,
        }),
      )) as {
        Statements?: { Id?: string; StatementName?: string; Status?: string; CreatedAt?: Date }[];
        NextToken?: string;
      };
      for (const s of out.Statements ?? []) {
        if (s.Id && s.StatementName?.startsWith(prefix)) {
          found.push({
            id: s.Id,
            name: s.StatementName,
            status: (s.Status ?? 'SUBMITTED') as StatementStatus,
            createdAt: s.CreatedAt,
          });
        }
      }
      next = out.NextToken;
    } while (next);
    return found;
  }

  async records(id: string): Promise<CellValue[][]> {
    const rows: CellValue[][] = [];
    let next: string | undefined;
    do {
      const out = (await this.client.send(new GetStatementResultCommand({ Id: id, NextToken: next }))) as {
        Records?: Field[][];
        NextToken?: string;
      };
      for (const r of out.Records ?? []) rows.push(r.map(cell));
      next = out.NextToken;
    } while (next);
    return rows;
  }
}

/** The n of a batch sub-statement id `<batch id>:<n>`. */
export function subStatementIndex(id: string | undefined): number | undefined {
  const m = id === undefined ? null : /:(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}
