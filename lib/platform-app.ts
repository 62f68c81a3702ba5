/**
 * Builds the platform's stacks into an app for one environment. bin/app.ts and the tests call the
 * same function, so the tests check the app that `cdk synth` produces.
 */
import { App, Environment, Tags, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EnvironmentConfig } from './config/environment-config';
import { PlatformSizing, platformSizing } from './config/sizing';
import {
  ApiStack,
  IngestionStack,
  MonitoringStack,
  NetworkStack,
  ProcessingStack,
  StorageStack,
  WarehouseStack,
} from './stacks';

/** Value of the `project` tag on every resource. */
export const PROJECT_TAG = 'ecommerce-data-platform';

/** Options of {@link buildPlatformApp}. */
export interface PlatformAppOptions {
  /**
   * Check the app against the cdk-nag AwsSolutions rules at synth (any unacknowledged finding fails
   * synth).
   *
   * @default true
   */
  readonly nag?: boolean;

  /**
   * Folder of the Lambda handlers.
   *
   * @default - the repository's lambdas/ folder
   */
  readonly lambdasRoot?: string;

  /**
   * Folder of the Glue scripts (jobs/ and common/).
   *
   * @default - the repository's glue-scripts/ folder
   */
  readonly glueScriptsRoot?: string;
}

/** The stacks of one environment. */
export interface PlatformStacks {
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  readonly ingestion: IngestionStack;
  readonly processing: ProcessingStack;
  /** The Redshift Serverless warehouse, its migrations and scheduled loads. */
  readonly warehouse: WarehouseStack;
  /** The business alarms and the pipeline dashboard. */
  readonly monitoring: MonitoringStack;
  /** The REST API: API Gateway, its WAF and the handler. */
  readonly api: ApiStack;
  /** The sizes derived from the environment's volumes. */
  readonly sizing: PlatformSizing;
}

/**
 * Adds `${prefix}-storage`, `${prefix}-network`, `${prefix}-ingestion`, `${prefix}-processing`,
 * `${prefix}-warehouse`, `${prefix}-api` and `${prefix}-monitoring` to the app, tags every resource with the
 * project and environment, and registers the cdk-nag AwsSolutions checks. The stacks are
 * environment-agnostic unless `config.account` is set.
 */
export function buildPlatformApp(
  app: App,
  config: EnvironmentConfig,
  options: PlatformAppOptions = {},
): PlatformStacks {
  const env: Environment | undefined =
    config.account === undefined ? undefined : { account: config.account, region: config.region };
  const sizing = platformSizing(config);

  const storage = new StorageStack(app, `${config.prefix}-storage`, {
    env,
    config,
    sizing,
    description: `E-commerce data platform (${config.name}): KMS key, lake buckets and DynamoDB tables`,
    terminationProtection: config.deletionProtection,
  });
  const network = new NetworkStack(app, `${config.prefix}-network`, {
    env,
    config,
    description: `E-commerce data platform (${config.name}): private VPC with endpoints and flow logs`,
    key: storage.key,
  });
  const ingestion = new IngestionStack(app, `${config.prefix}-ingestion`, {
    env,
    config,
    sizing,
    description: `E-commerce data platform (${config.name}): Kinesis streams, transformers and raw delivery`,
    key: storage.key,
    rawBucket: storage.rawBucket,
    tables: storage.tables,
    deadLetterWriterPolicy: storage.deadLetterWriterPolicy,
    rawEventsWriterPolicy: storage.rawEventsWriterPolicy,
    lambdasRoot: options.lambdasRoot,
  });

  const processing = new ProcessingStack(app, `${config.prefix}-processing`, {
    env,
    config,
    description: `E-commerce data platform (${config.name}): the lake's Glue workflow, its jobs, JDBC connection and failure alarms`,
    key: storage.key,
    rawBucket: storage.rawBucket,
    curatedBucket: storage.curatedBucket,
    catalog: storage.catalog,
    lakePolicies: {
      rawEventsReader: storage.rawEventsReaderPolicy,
      oltpExtractWriter: storage.oltpExtractWriterPolicy,
      documentExportWriter: storage.documentExportWriterPolicy,
      thirdPartyReader: storage.thirdPartyReaderPolicy,
      curatedWriter: storage.curatedWriterPolicy,
    },
    vpc: network.vpc,
    oltpCredentials: storage.oltpCredentials,
    alarmTopic: ingestion.alarmTopic,
    glueScriptsRoot: options.glueScriptsRoot,
  });

  const warehouse = new WarehouseStack(app, `${config.prefix}-warehouse`, {
    env,
    config,
    description: `E-commerce data platform (${config.name}): Redshift Serverless warehouse, schema migrations and scheduled loads`,
    key: storage.key,
    curatedBucket: storage.curatedBucket,
    catalog: storage.catalog,
    vpc: network.vpc,
    streams: { orders: ingestion.ingestion.orders.stream, inventory: ingestion.ingestion.inventory.stream },
    alarmTopic: ingestion.alarmTopic,
    lambdasRoot: options.lambdasRoot,
    terminationProtection: config.deletionProtection,
  });

  const api = new ApiStack(app, `${config.prefix}-api`, {
    env,
    config,
    description: `E-commerce data platform (${config.name}): REST API for analytics and operational lookups (API Gateway, WAF, handler)`,
    key: storage.key,
    tables: { orders: storage.tables.orders, stock: storage.tables.stock },
    warehouse: {
      workgroupName: warehouse.workgroup.workgroupName!,
      workgroupArn: warehouse.workgroup.attrWorkgroupWorkgroupArn,
      database: config.warehouse.databaseName,
    },
    alarmTopic: ingestion.alarmTopic,
    lambdasRoot: options.lambdasRoot,
  });

  const monitoring = new MonitoringStack(app, `${config.prefix}-monitoring`, {
    env,
    config,
    description: `E-commerce data platform (${config.name}): business alarms and the pipeline dashboard`,
    alarmTopic: ingestion.alarmTopic,
    ingestion: ingestion.ingestion,
    otherAlarms: [
      ...processing.dataAlarms,
      ...warehouse.alarms,
      ...Object.values(api.alarms).filter((a): a is cloudwatch.Alarm => a !== undefined),
    ],
    loadStateMachine: warehouse.loadStateMachine,
  });
  // The dashboard and the alarm status widget name the other stacks' resources without referencing
  // them; deploy it after them, so that what it shows exists.
  monitoring.addDependency(ingestion);
  monitoring.addDependency(processing);
  monitoring.addDependency(warehouse);
  monitoring.addDependency(api);

  for (const stack of [storage, network, ingestion, processing, warehouse, api, monitoring]) {
    Tags.of(stack).add('project', PROJECT_TAG);
    Tags.of(stack).add('environment', config.name);
  }

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  return { storage, network, ingestion, processing, warehouse, monitoring, api, sizing };
}
