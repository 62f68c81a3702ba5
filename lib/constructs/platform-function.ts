import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LogLevel } from '../config/environment-config';
import {
  DEFAULT_LOG_RETENTION,
  DEFAULT_METRICS_NAMESPACE,
  PLATFORM_ARCHITECTURE,
  PLATFORM_BUNDLING_TARGET,
  PLATFORM_RUNTIME,
} from './defaults';

/** The repository root: the folder of package-lock.json, which esbuild bundles from. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Properties of a {@link PlatformFunction}. */
export interface PlatformFunctionProps {
  /** Path of the TypeScript handler file, for example `lambdas/orders-transformer/handler.ts`. */
  readonly entry: string;

  /** The service name Powertools logs and metrics carry (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;

  /**
   * Name of the exported handler function in the entry file.
   *
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * Physical function name.
   *
   * @default - a name CloudFormation generates
   */
  readonly functionName?: string;

  /**
   * Description of the function.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Memory in MiB (128 to 10240); CPU grows with it.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Longest an invocation may run (1 s to 15 min).
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Environment variables besides the Powertools ones, which the construct sets.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * Application log level of Lambda's JSON logging and of Powertools (POWERTOOLS_LOG_LEVEL).
   *
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;

  /**
   * CloudWatch namespace of the Powertools metrics (POWERTOOLS_METRICS_NAMESPACE).
   *
   * @default 'EcommerceDataPlatform'
   */
  readonly metricsNamespace?: string;

  /**
   * How long the function's log group keeps logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Key that encrypts the log group; its key policy must let CloudWatch Logs use it.
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Concurrent executions reserved for (and capping) the function.
   *
   * @default - no reservation; the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The execution role, when several functions share one (the warehouse's migration handlers: the
   * Data API shows a statement only to the role that ran it). Given or not, the function's log group
   * may be written by it.
   *
   * @default - a role of its own
   */
  readonly role?: iam.Role;

  /**
   * Shell commands run after esbuild, to put more files next to the handler (the warehouse
   * functions copy sql/ there).
   *
   * @default - none
   */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * The one Lambda function construct of the platform, so that every function is alike: Node.js 24
 * on ARM64, a handler bundled locally by esbuild (no Docker) with minification, source maps and
 * every imported module, AWS SDK v3 clients included (their ES module builds, tree-shaken, so the
 * code runs with the SDK version it was tested with), JSON logs at a chosen level into its own log group with a retention,
 * X-Ray tracing, and an execution role without managed policies (only its log group and X-Ray).
 *
 * @example
 * const fn = new PlatformFunction(this, 'Transformer', {
 *   entry: 'lambdas/orders-transformer/handler.ts',
 *   serviceName: 'orders-transformer',
 * });
 * table.grantReadData(fn.function);
 */
export class PlatformFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;

  /** The execution role. */
  public readonly role: iam.IRole;

  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? 256;
    const timeout = props.timeout ?? Duration.seconds(30);
    const logLevel = props.logLevel ?? 'INFO';
    const entry = path.resolve(props.entry);
    if (
      !Token.isUnresolved(memorySize) &&
      (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)
    ) {
      throw new Error(
        `PlatformFunction ${this.node.path}: memorySize is ${memorySize}, expected an integer from 128 to 10240 MiB`,
      );
    }
    const timeoutSeconds = timeout.isUnresolved() ? undefined : timeout.toSeconds({ integral: false });
    if (timeoutSeconds !== undefined && (timeoutSeconds < 1 || timeoutSeconds > 900)) {
      throw new Error(
        `PlatformFunction ${this.node.path}: timeout is ${timeoutSeconds} s, expected 1 to 900 s`,
      );
    }
    if (!/\.ts$/.test(entry) || !fs.existsSync(entry)) {
      throw new Error(
        `PlatformFunction ${this.node.path}: entry '${props.entry}' is not an existing .ts file`,
      );
    }
    if (!Token.isUnresolved(props.serviceName) && !/^[a-zA-Z0-9_-]{1,64}$/.test(props.serviceName)) {
      throw new Error(
        `PlatformFunction ${this.node.path}: serviceName '${props.serviceName}' must match ^[a-zA-Z0-9_-]{1,64}$`,
      );
    }
    const reserved = props.reservedConcurrentExecutions;
    if (
      reserved !== undefined &&
      !Token.isUnresolved(reserved) &&
      (!Number.isInteger(reserved) || reserved < 0)
    ) {
      throw new Error(
        `PlatformFunction ${this.node.path}: reservedConcurrentExecutions is ${reserved}, expected a non-negative integer`,
      );
    }
    const reservedEnv = Object.keys(props.environment ?? {}).filter((k) => k.startsWith('POWERTOOLS_'));
    if (reservedEnv.length > 0) {
      throw new Error(
        `PlatformFunction ${this.node.path}: environment sets ${reservedEnv.join(', ')}; use serviceName, metricsNamespace and logLevel instead`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.functionName ? `/aws/lambda/${props.functionName}` : undefined,
      retention: props.logRetention ?? DEFAULT_LOG_RETENTION,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // A role of its own, without AWSLambdaBasicExecutionRole: that managed policy lets the function
    // write to any log group of the account; this one writes only to its own.
    const role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${props.serviceName}`,
      });
    this.logGroup.grantWrite(role);
    this.role = role;

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: props.handler ?? 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: PLATFORM_RUNTIME,
      architecture: PLATFORM_ARCHITECTURE,
      memorySize,
      timeout,
      role,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: reserved,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      projectRoot: PROJECT_ROOT,
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: PLATFORM_BUNDLING_TARGET,
        format: nodejs.OutputFormat.CJS,
        // Bundle everything the handler imports, the AWS SDK v3 clients included, instead of
        // relying on the SDK version the runtime happens to ship...
        externalModules: [],
        // ...and prefer the packages' ES module builds, which esbuild can tree-shake: the orders
        // transformer drops from about 960 KB to about 700 KB minified.
        mainFields: ['module', 'main'],
        commandHooks: props.afterBundling && {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: props.afterBundling,
        },
      },
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // A role passed in is its owner's to acknowledge (its other statements are not known here).
    if (props.role === undefined)
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; every other statement of this role names its resources.',
      });
  }
}
