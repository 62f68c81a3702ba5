/**
 * The schema migration custom resource (CDK Provider framework): `onEvent` starts a run and
 * `isComplete` drives it to the end, both through {@link advance}. Delete does nothing: the
 * warehouse's data is retained with the namespace.
 *
 * Environment: WORKGROUP_NAME, DATABASE, SECRET_ARN (the namespace's admin secret, which Redshift
 * manages), STATEMENT_PREFIX (names this stack's statements). The SQL files are bundled next to
 * this file (migrations/, views/, loads/), with the layout of sql/.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { migrationPlaceholders, readSql } from '../../sql/registry';
import { RedshiftDataApi, WarehouseDataApi } from './data-api';
import { Progress, RunSources, advance } from './runner';

/** What the Provider framework passes to isComplete: the event plus onEvent's answer. */
export type IsCompleteEvent = CloudFormationCustomResourceEvent & {
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
};

/** onEvent's answer. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** isComplete's answer. */
export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** What the handlers run with; the Lambda builds it from its environment. */
export interface MigrationDeps {
  readonly api: WarehouseDataApi;
  readonly sources: RunSources;
  /** Prefix of the statement names of this stack's runs. */
  readonly statementPrefix: string;
  readonly log?: (message: string, detail?: unknown) => void;
}

/** The run of a CloudFormation request: its statements' names start with it. */
export function runName(prefix: string, requestId: string): string {
  return `${prefix}/${requestId}`;
}

function physicalId(event: CloudFormationCustomResourceEvent, prefix: string): string {
  return 'PhysicalResourceId' in event && event.PhysicalResourceId
    ? event.PhysicalResourceId
    : `${prefix}-schema`;
}

function progressData(p: Progress): Record<string, string> {
  if (!p.done) return { WaitingFor: p.waitingFor };
  return {
    Applied: p.applied.join(',') || 'none',
    Views: String(p.views),
    ...(p.skipped ? { Skipped: p.skipped } : {}),
  };
}

/** Starts the run of a Create or Update (submits the bootstrap batch); Delete keeps everything. */
export async function handleOnEvent(
  event: CloudFormationCustomResourceEvent,
  deps: MigrationDeps,
): Promise<OnEventResponse> {
  const id = physicalId(event, deps.statementPrefix);
  if (event.RequestType === 'Delete') {
    deps.log?.('Delete: the warehouse schema is kept with the retained namespace; nothing to do');
    return { PhysicalResourceId: id };
  }
  const run = runName(deps.statementPrefix, event.RequestId);
  const progress = await advance(deps.api, run, deps.sources, event.RequestType === 'Create');
  deps.log?.('migration run started', { run, ...progressData(progress) });
  return { PhysicalResourceId: id, Data: { Run: run } };
}

/** Moves the run on by one step, or reports it done. */
export async function handleIsComplete(
  event: IsCompleteEvent,
  deps: MigrationDeps,
): Promise<IsCompleteResponse> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const run = event.Data?.Run ?? runName(deps.statementPrefix, event.RequestId);
  const progress = await advance(deps.api, run, deps.sources, event.RequestType === 'Create');
  deps.log?.(progress.done ? 'migration run finished' : 'migration run in progress', {
    run,
    ...progressData(progress),
  });
  return progress.done ? { IsComplete: true, Data: progressData(progress) } : { IsComplete: false };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`warehouse-migrations: environment variable ${name} is not set (the stack sets it)`);
  return value;
}

let deps: MigrationDeps | undefined;

function lambdaDeps(): MigrationDeps {
  deps ??= {
    api: new RedshiftDataApi(new RedshiftDataClient({}), {
      workgroupName: required('WORKGROUP_NAME'),
      database: required('DATABASE'),
      secretArn: required('SECRET_ARN'),
    }),
    // The bundle carries migrations/, views/ and loads/ next to this file.
    sources: {
      read: (file) => readSql(file, __dirname),
      parameters: migrationPlaceholders({
        streamingRoleArn: required('STREAMING_ROLE_ARN'),
        ordersStream: required('ORDERS_STREAM'),
        inventoryStream: required('INVENTORY_STREAM'),
      }),
    },
    statementPrefix: required('STATEMENT_PREFIX'),
    log: (message, detail) => console.log(JSON.stringify({ message, ...(detail as object) })),
  };
  return deps;
}

/** The Provider framework's onEvent handler. */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  return handleOnEvent(event, lambdaDeps());
}

/** The Provider framework's isComplete handler. */
export async function isComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  return handleIsComplete(event, lambdaDeps());
}
