/**
 * The Lambda of the load state machine: one function, five steps chosen by `action` (`plan`,
 * `submit`, `poll` per load and partition; `refresh`, `pollRefresh` per materialized view after the
 * loads; see ./loader.ts), so that every Data API statement is run and described by the same role.
 *
 * Environment: WORKGROUP_NAME, DATABASE, SECRET_ARN, CURATED_BUCKET, COPY_ROLE_ARN,
 * STATEMENT_PREFIX, MAX_PARTITIONS_PER_RUN. The bundle carries loads/ next to this file.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CuratedObject } from '../../sql/registry';
import { RedshiftDataApi } from '../warehouse-migrations/data-api';
import { LoaderDeps, planLoad, pollPartition, pollRefresh, submitPartition, submitRefresh } from './loader';

/** What the state machine passes. */
export type LoaderEvent =
  | { readonly action: 'plan'; readonly dataset: string; readonly runId: string }
  | {
      readonly action: 'submit';
      readonly dataset: string;
      readonly runId: string;
      readonly partition: string;
      readonly sourceModifiedAt: string;
    }
  | {
      readonly action: 'poll';
      readonly dataset: string;
      readonly partition: string;
      readonly statementId: string;
    }
  | { readonly action: 'refresh'; readonly materializedView: string; readonly runId: string }
  | { readonly action: 'pollRefresh'; readonly materializedView: string; readonly statementId: string };

/** Lists `prefix` of a bucket, keys relative to the prefix. */
export async function listCurated(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  prefix: string,
): Promise<CuratedObject[]> {
  const out: CuratedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key && o.LastModified)
        out.push({ key: o.Key.slice(prefix.length), lastModified: o.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Runs one step. */
export async function handleLoaderEvent(event: LoaderEvent, deps: LoaderDeps): Promise<unknown> {
  switch (event.action) {
    case 'plan':
      return planLoad(event, deps);
    case 'submit':
      return submitPartition(event, deps);
    case 'poll':
      return pollPartition(event, deps);
    case 'refresh':
      return submitRefresh(event, deps);
    case 'pollRefresh':
      return pollRefresh(event, deps);
    default:
      throw new Error(
        `warehouse-loader: unknown action '${String((event as { action?: unknown }).action)}' (plan, submit, poll, refresh or pollRefresh)`,
      );
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`warehouse-loader: environment variable ${name} is not set (the stack sets it)`);
  return value;
}

let deps: LoaderDeps | undefined;

/** The Lambda entry point. */
export async function handler(event: LoaderEvent): Promise<unknown> {
  if (!deps) {
    const bucket = required('CURATED_BUCKET');
    const s3 = new S3Client({});
    deps = {
      api: new RedshiftDataApi(new RedshiftDataClient({}), {
        workgroupName: required('WORKGROUP_NAME'),
        database: required('DATABASE'),
        secretArn: required('SECRET_ARN'),
      }),
      list: (prefix) => listCurated(s3, bucket, prefix),
      bucket,
      copyRoleArn: required('COPY_ROLE_ARN'),
      statementPrefix: required('STATEMENT_PREFIX'),
      sqlRoot: __dirname,
      maxPartitionsPerRun: Number(required('MAX_PARTITIONS_PER_RUN')),
    };
  }
  return handleLoaderEvent(event, deps);
}
