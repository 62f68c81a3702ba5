import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LogLevel } from '../config/environment-config';
import {
  DEFAULT_METRICS_NAMESPACE,
  PLATFORM_ARCHITECTURE,
  PLATFORM_BUNDLING_TARGET,
  PLATFORM_RUNTIME,
} from './defaults';

/** The repository root: the folder of package-lock.json, which esbuild bundles from. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The folders of sql/ a warehouse bundle carries next to its handler, with the layout of sql/. */
export const WAREHOUSE_SQL_FOLDERS: readonly string[] = ['migrations', 'views', 'loads'];

/**
 * The shell commands that copy the SQL folders into a bundle (a folder that does not exist yet is
 * skipped: the registry may be empty).
 */
export function copySqlCommands(inputDir: string, outputDir: string): string[] {
  return WAREHOUSE_SQL_FOLDERS.map(
    (folder) =>
      `if [ -d "${inputDir}/sql/${folder}" ]; then cp -R "${inputDir}/sql/${folder}" "${outputDir}/${folder}"; fi`,
  );
}

/** Properties of a {@link WarehouseFunction}. */
export interface WarehouseFunctionProps {
  /** Path of the TypeScript handler file. */
  readonly entry: string;
  /** Name of the exported handler. @default 'handler' */
  readonly handler?: string;
  /** The service name of its logs (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** Description of the function. */
  readonly description: string;
  /** The execution role; shared when several functions must see the same Data API statements. */
  readonly role: iam.Role;
  /** Environment variables. */
  readonly environment: Record<string, string>;
  /** Key of the log group. */
  readonly logEncryptionKey: kms.IKey;
  /** How long the log group keeps logs. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 'INFO' */
  readonly logLevel?: LogLevel;
}

/**
 * A Lambda function of the warehouse runners: the platform's function settings (those of
 * PlatformFunction: Node.js 24 on ARM64, local esbuild, minified, source maps, SDK bundled, JSON
 * logs into its own encrypted log group, X-Ray) plus the SQL files of sql/ copied next to the
 * handler after bundling (PlatformFunction has no bundling hooks), and a role given by the caller
 * (the Data API shows a statement to the role that ran it, so a submitting and a polling function
 * share one).
 *
 * @example
 * new WarehouseFunction(this, 'OnEvent', { entry: 'lambdas/warehouse-migrations/handler.ts', handler: 'onEvent', ... });
 */
export class WarehouseFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;

  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WarehouseFunctionProps) {
    super(scope, id);
    const logLevel = props.logLevel ?? 'INFO';
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.logGroup.grantWrite(props.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.resolve(props.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: PLATFORM_RUNTIME,
      architecture: PLATFORM_ARCHITECTURE,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      role: props.role,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      projectRoot: PROJECT_ROOT,
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: PLATFORM_BUNDLING_TARGET,
        format: nodejs.OutputFormat.CJS,
        externalModules: [],
        mainFields: ['module', 'main'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => copySqlCommands(inputDir, outputDir),
        },
      },
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: DEFAULT_METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    Validations.of(props.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; the Data API statement actions (DescribeStatement, GetStatementResult, ListStatements) have no resource type either.',
    });
  }
}
