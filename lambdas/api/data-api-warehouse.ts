/**
 * The API's warehouse on AWS: Redshift Serverless through the Data API, signed in with the Lambda's
 * IAM role (WorkgroupName + Database, no secret). A named query is submitted with its parameters
 * bound (ExecuteStatement `Parameters`), then described until it is done or the wait
 * (QUERY_WAIT_SECONDS) is over; a query still running then is answered `running` with its statement
 * id, which GET /v1/queries/{id} polls: DescribeStatement tells the state and, by the statement's
 * text, which named query it is (a statement that is not one of ours is `unknown`, as is one whose
 * result has expired), and GetStatementResult (every page) gives the rows.
 */
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementResponse,
  type ExecuteStatementOutput,
  type Field,
  type GetStatementResultResponse,
} from '@aws-sdk/client-redshift-data';
import { QueryName, bindParameters, queryNameOfSql, querySql } from './queries/registry';
import {
  PollOutcome,
  QUERY_ID_PATTERN,
  QueryOutcome,
  WarehouseQueries,
  WarehouseQueryError,
  WarehouseRow,
  WarehouseValue,
} from './warehouse';

/** The part of the SDK client used (a fake in tests). */
export interface RedshiftDataSend {
  send(command: object): Promise<unknown>;
}

export interface DataApiWarehouseOptions {
  readonly client: RedshiftDataSend;
  readonly workgroupName: string;
  readonly database: string;
  /** How long `run` waits for a statement before answering `running` (seconds). */
  readonly waitSeconds: number;
  /** First and longest pause between two DescribeStatement calls (ms); default 100 and 1000. */
  readonly pollIntervalMs?: { readonly first: number; readonly max: number };
  /** The clock and the pause, for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RUNNING = new Set(['SUBMITTED', 'PICKED', 'STARTED']);

function valueOf(field: Field): WarehouseValue {
  if (field.isNull) return null;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.stringValue !== undefined) return field.stringValue;
  return null;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  return name === 'ResourceNotFoundException' || name === 'ValidationException';
}

export class DataApiWarehouse implements WarehouseQueries {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DataApiWarehouseOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async run(query: QueryName, parameters: Readonly<Record<string, string | number>>): Promise<QueryOutcome> {
    const bound = bindParameters(query, parameters);
    const started = this.now();
    const submitted = (await this.options.client.send(
      new ExecuteStatementCommand({
        WorkgroupName: this.options.workgroupName,
        Database: this.options.database,
        Sql: querySql(query),
        ...(bound.length > 0 ? { Parameters: bound.map((p) => ({ name: p.name, value: p.value })) } : {}),
      }),
    )) as ExecuteStatementOutput;
    const id = submitted.Id;
    if (!id) throw new WarehouseQueryError('the Data API returned no statement id');
    const deadline = started + this.options.waitSeconds * 1000;
    let pause = this.options.pollIntervalMs?.first ?? 100;
    const maxPause = this.options.pollIntervalMs?.max ?? 1000;
    for (;;) {
      const d = await this.describe(id);
      if (d.Status === 'FINISHED') return { state: 'finished', rows: await this.rows(id, d) };
      if (!RUNNING.has(String(d.Status)))
        throw new WarehouseQueryError(
          `query ${query} ${String(d.Status)}: ${d.Error ?? 'no error given'}`,
          id,
        );
      const left = deadline - this.now();
      if (left <= 0) return { state: 'running', queryId: id };
      await this.sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, maxPause);
    }
  }

  async poll(queryId: string): Promise<PollOutcome> {
    if (!QUERY_ID_PATTERN.test(queryId)) return { state: 'unknown' };
    let d: DescribeStatementResponse;
    try {
      d = await this.describe(queryId);
    } catch (e) {
      if (isNotFound(e)) return { state: 'unknown' };
      throw e;
    }
    const query = d.QueryString === undefined ? undefined : queryNameOfSql(d.QueryString);
    if (query === undefined) return { state: 'unknown' };
    if (RUNNING.has(String(d.Status))) return { state: 'running' };
    if (d.Status !== 'FINISHED')
      throw new WarehouseQueryError(
        `query ${query} ${String(d.Status)}: ${d.Error ?? 'no error given'}`,
        queryId,
      );
    const parameters = Object.fromEntries((d.QueryParameters ?? []).map((p) => [p.name, p.value]));
    try {
      return { state: 'finished', query, parameters, rows: await this.rows(queryId, d) };
    } catch (e) {
      if (isNotFound(e)) return { state: 'unknown' };
      throw e;
    }
  }

  private async describe(id: string): Promise<DescribeStatementResponse> {
    return (await this.options.client.send(
      new DescribeStatementCommand({ Id: id }),
    )) as DescribeStatementResponse;
  }

  /** Every page of a finished statement's result, as rows by column name. */
  private async rows(id: string, d: DescribeStatementResponse): Promise<WarehouseRow[]> {
    if (d.HasResultSet === false) return [];
    const out: WarehouseRow[] = [];
    let names: string[] | undefined;
    let token: string | undefined;
    do {
      const page = (await this.options.client.send(
        new GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) }),
      )) as GetStatementResultResponse;
      names ??= (page.ColumnMetadata ?? []).map((c, i) => c.label ?? c.name ?? `column${i + 1}`);
      for (const record of page.Records ?? [])
        out.push(Object.fromEntries(record.map((f, i) => [names![i], valueOf(f)])));
      token = page.NextToken;
    } while (token);
    return out;
  }
}
