import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { CurationJob, LakeCatalog, QualityRulesets } from '../constructs';
import { EVENT_DATASETS } from '../lake/lake-datasets';

/** The repository's glue-scripts folder: jobs/<job>.py and the common/ package. */
export const GLUE_SCRIPTS_ROOT = path.resolve(__dirname, '..', '..', 'glue-scripts');

/** Properties of the {@link ProcessingStack}. */
export interface ProcessingStackProps extends StackProps {
  /** The environment's configuration (the `glue` section sizes and schedules the job). */
  readonly config: EnvironmentConfig;
  /** The platform key. */
  readonly key: kms.IKey;
  /** The raw lake bucket. */
  readonly rawBucket: s3.IBucket;
  /** The curated lake bucket. */
  readonly curatedBucket: s3.IBucket;
  /** The lake's catalog (database and table names). */
  readonly catalog: LakeCatalog;
  /** Opens `events/` of the raw bucket for reading, and the curated bucket's job prefixes. */
  readonly lakePolicies: readonly iam.IManagedPolicy[];
  /** The topic failed runs notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Folder of the Glue scripts.
   *
   * @default GLUE_SCRIPTS_ROOT (the repository's glue-scripts/ folder)
   */
  readonly glueScriptsRoot?: string;
}

/**
 * The processing stack: the Glue job that curates the raw events into the curated zone, its
 * schedule and its failure notification, and the Glue Data Quality rulesets of the curated tables. Stateless (jobs, roles, triggers), so it can be replaced
 * freely; the data and the catalog stay in the storage stack.
 */
export class ProcessingStack extends Stack {
  /** The raw-events-to-curated job. */
  public readonly rawEventsToCurated: CurationJob;

  /** The Glue Data Quality rulesets of the curated tables (the job's gates, as DQDL). */
  public readonly qualityRulesets: QualityRulesets;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config, catalog } = props;
    const root = props.glueScriptsRoot ?? GLUE_SCRIPTS_ROOT;

    this.rawEventsToCurated = new CurationJob(this, 'RawEventsToCurated', {
      jobName: `${config.prefix}-raw-events-to-curated`,
      scriptPath: path.join(root, 'jobs', 'raw_events_to_curated.py'),
      libraryRoot: root,
      packagedContracts: packagedContractFiles(),
      rawBucket: props.rawBucket,
      curatedBucket: props.curatedBucket,
      lakePolicies: props.lakePolicies,
      encryptionKey: props.key,
      catalogTables: {
        [catalog.rawDatabaseName]: Object.values(catalog.rawTables).map((t) => tableName(t)),
        [catalog.curatedDatabaseName]: [
          ...Object.values(catalog.curatedTables).map((t) => tableName(t)),
          ...Object.values(catalog.quarantineTables).map((t) => tableName(t)),
        ],
      },
      arguments: {
        '--raw-root': props.rawBucket.s3UrlForObject(),
        '--curated-root': props.curatedBucket.s3UrlForObject(),
        '--datasets': EVENT_DATASETS.map((d) => d.name).join(','),
        '--bookmarks': 'glue',
      },
      alarmTopic: props.alarmTopic,
      workerType: config.glue.workerType,
      numberOfWorkers: config.glue.numberOfWorkers,
      timeout: Duration.minutes(config.glue.timeoutMinutes),
      maxRetries: config.glue.maxRetries,
      schedule: config.glue.schedule,
    });

    // Names only (no tokens): the catalog is in the storage stack, and the rulesets need no export.
    this.qualityRulesets = new QualityRulesets(this, 'QualityRulesets', {
      prefix: config.prefix,
      databaseName: catalog.curatedDatabaseName,
      tableNames: Object.fromEntries(
        Object.entries(catalog.curatedTables).map(([dataset, t]) => [dataset, tableName(t)]),
      ),
    });

    new CfnOutput(this, 'RawEventsToCuratedJobName', { value: this.rawEventsToCurated.job.ref });
  }
}

function tableName(table: { tableInput: unknown }): string {
  return (table.tableInput as { name: string }).name;
}

/**
 * The contract files the Glue jobs read (contracts/datasets.json and the flat schemas), by their
 * path under contracts/, packed into the job's library zip.
 */
export function packagedContractFiles(): Record<string, string> {
  const contracts = path.join(__dirname, '..', '..', 'contracts');
  const flat = path.join(contracts, 'generated', 'flat');
  const files: Record<string, string> = { 'datasets.json': path.join(contracts, 'datasets.json') };
  for (const f of fs
    .readdirSync(flat)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    files[`generated/flat/${f}`] = path.join(flat, f);
  }
  return files;
}
