import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArnFormat,
  AssetHashType,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { GlueWorkerType } from '../config/environment-config';
import { JOB_STATE_PREFIX } from '../lake/lake-layout';

/**
 * CloudWatch namespace of the run metrics the jobs publish (glue-scripts/common/metrics.py NAMESPACE):
 * QuarantinedRows, GateFailures and Unreconciled, by job and dataset.
 */
export const LAKE_METRICS_NAMESPACE = 'EcommerceDataPlatform/Lake';

/** Properties of a {@link CurationJob}. */
export interface CurationJobProps {
  /** Name of the Glue job (and prefix of its trigger and security configuration names). */
  readonly jobName: string;

  /** Path of the PySpark script, for example glue-scripts/jobs/raw_events_to_curated.py. */
  readonly scriptPath: string;

  /**
   * Folder whose `common/` package is zipped and passed with `--extra-py-files` (the
   * repository's glue-scripts folder).
   */
  readonly libraryRoot: string;

  /**
   * Data files packed into the library zip under `common/_contracts/`, by their path there
   * (for example `datasets.json` → the repository's contracts/datasets.json). On Glue the package
   * is imported from the zip, so the job reads them with `pkgutil.get_data('common', ...)`.
   *
   * @default - none
   */
  readonly packagedContracts?: Readonly<Record<string, string>>;

  /** The raw zone bucket (read). */
  readonly rawBucket: s3.IBucket;

  /** The curated zone bucket (read and write). */
  readonly curatedBucket: s3.IBucket;

  /**
   * Managed policies that open the lake prefixes the job uses (raw `events/` for reading; curated
   * `curated/`, `quarantine/` and `_state/` for reading and writing), created in the buckets' stack
   * with LakePrefixPolicy.
   */
  readonly lakePolicies: readonly iam.IManagedPolicy[];

  /** The platform key: S3 objects, CloudWatch logs and job bookmarks are encrypted with it. */
  readonly encryptionKey: kms.IKey;

  /** The Glue tables the job may read and update partitions of, by database name. */
  readonly catalogTables: Readonly<Record<string, readonly string[]>>;

  /** Arguments of every run (for example `--datasets`). */
  readonly arguments?: Readonly<Record<string, string>>;

  /** The topic a failed or timed-out run notifies. */
  readonly alarmTopic: sns.ITopic;

  /**
   * Worker type.
   *
   * @default 'G.1X'
   */
  readonly workerType?: GlueWorkerType;

  /**
   * Workers of a run (2 to 299).
   *
   * @default 2
   */
  readonly numberOfWorkers?: number;

  /**
   * How long a run may take (1 to 2880 minutes).
   *
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;

  /**
   * Retries of a failed run (0 to 10).
   *
   * @default 0
   */
  readonly maxRetries?: number;

  /**
   * What the job does, shown in the Glue console.
   *
   * @default 'Curates the lake (glue-scripts/jobs)'
   */
  readonly description?: string;

  /**
   * Glue connections the job runs in (a JDBC connection places the job's workers in the VPC).
   *
   * @default - none: the job runs outside any VPC
   */
  readonly connections?: readonly string[];

  /**
   * Days the job's log groups keep logs. Glue 5.0 writes the driver's and executors' logs to
   * `<prefix>/error` and `<prefix>/output` under `--custom-logGroup-prefix`; the construct creates
   * both, encrypted with the key, with this retention (Glue's default groups never expire).
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log groups when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Statements the job's role needs besides the lake, its scripts, the catalog, logs and metrics (for
   * example reading a connection's secret).
   *
   * @default - none
   */
  readonly additionalStatements?: readonly iam.PolicyStatement[];

  /**
   * Cron expression of the scheduled trigger, `cron(m h dom mon dow y)`.
   *
   * @default - no trigger: runs start by hand or from a workflow
   */
  readonly schedule?: string;
}

const WORKER_TYPES: readonly GlueWorkerType[] = ['G.1X', 'G.2X', 'G.4X', 'G.8X'];

/**
 * A Glue 5.0 Spark (glueetl, Python 3) job that curates the lake: the script and the `common`
 * package as S3 assets, job bookmarks on, metrics, its own log groups with a retention, a security configuration
 * that encrypts what the job writes to S3 (SSE-KMS), its logs (KMS) and its bookmarks (CSE-KMS) with
 * the platform key, a least-privilege role, an optional scheduled trigger, and an EventBridge rule
 * that notifies the alarm topic when a run fails, times out or errors.
 *
 * Why an EventBridge rule and not a metric alarm: Glue publishes no per-run failure metric (its job
 * metrics exist only while a run is active), while "Glue Job State Change" events report every run's
 * end state. The rule publishes through a role, so neither the topic policy nor the key policy
 * (both in other stacks) change.
 *
 * @example
 * new CurationJob(this, 'RawEventsToCurated', { jobName: 'ecom-dev-raw-events-to-curated', ... });
 */
export class CurationJob extends Construct {
  /** The job. */
  public readonly job: glue.CfnJob;

  /** The role the job runs as. */
  public readonly role: iam.IRole;

  /** The security configuration of the job. */
  public readonly securityConfiguration: glue.CfnSecurityConfiguration;

  /** The scheduled trigger, when a schedule is given. */
  public readonly trigger?: glue.CfnTrigger;

  /** The rule that notifies the alarm topic of failed runs. */
  public readonly failureRule: events.Rule;

  /** The log groups of the job's runs (`error`: driver and executors; `output`: stdout and stderr). */
  public readonly logGroups: { readonly error: logs.ILogGroup; readonly output: logs.ILogGroup };

  constructor(scope: Construct, id: string, props: CurationJobProps) {
    super(scope, id);
    const where = `CurationJob ${this.node.path}`;
    if (!Token.isUnresolved(props.jobName) && !/^[a-zA-Z0-9_-]{1,200}$/.test(props.jobName)) {
      throw new Error(`${where}: jobName '${props.jobName}' must match ^[a-zA-Z0-9_-]{1,200}$`);
    }
    const workerType = props.workerType ?? 'G.1X';
    if (!WORKER_TYPES.includes(workerType)) {
      throw new Error(`${where}: workerType '${workerType}' must be one of ${WORKER_TYPES.join(', ')}`);
    }
    const numberOfWorkers = props.numberOfWorkers ?? 2;
    if (!Number.isInteger(numberOfWorkers) || numberOfWorkers < 2 || numberOfWorkers > 299) {
      throw new Error(`${where}: numberOfWorkers is ${numberOfWorkers}, expected an integer from 2 to 299`);
    }
    const timeout = props.timeout ?? Duration.hours(1);
    const timeoutMinutes = timeout.toMinutes({ integral: false });
    if (
      !timeout.isUnresolved() &&
      (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > 2880)
    ) {
      throw new Error(
        `${where}: timeout is ${timeoutMinutes} minutes, expected whole minutes from 1 to 2880`,
      );
    }
    const maxRetries = props.maxRetries ?? 0;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) {
      throw new Error(`${where}: maxRetries is ${maxRetries}, expected an integer from 0 to 10`);
    }
    if (props.schedule !== undefined && !/^cron\((\S+ ){5}\S+\)$/.test(props.schedule)) {
      throw new Error(
        `${where}: schedule '${props.schedule}' is not a cron expression such as 'cron(15 * * * ? *)'`,
      );
    }
    if (props.lakePolicies.length === 0) {
      throw new Error(`${where}: lakePolicies is empty; the job could not read or write the lake`);
    }

    const stack = Stack.of(this);
    const key = props.encryptionKey;

    const script = new assets.Asset(this, 'Script', { path: props.scriptPath });
    const packaged = props.packagedContracts ?? {};
    const library = new assets.Asset(this, 'Library', {
      path: props.libraryRoot,
      // The zip is assembled locally (no Docker): the common package as common/... at its root, so
      // `import common.x` works, plus the contract files under common/_contracts/. Its hash is the
      // output's, so a change to a contract file changes the asset too.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('local-bundling-only'),
        local: {
          tryBundle(outputDir: string): boolean {
            copyPythonPackage(path.join(props.libraryRoot, 'common'), path.join(outputDir, 'common'));
            for (const [target, source] of Object.entries(packaged)) {
              const dest = path.join(outputDir, 'common', '_contracts', target);
              fs.mkdirSync(path.dirname(dest), { recursive: true });
              fs.copyFileSync(source, dest);
            }
            return true;
          },
        },
      },
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Runs the Glue job ${props.jobName}`,
    });
    for (const policy of props.lakePolicies) role.addManagedPolicy(policy);
    // The two asset objects, by exact key: nothing else of the CDK staging bucket.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadScriptAndLibrary',
        actions: ['s3:GetObject'],
        resources: [
          script.bucket.arnForObjects(script.s3ObjectKey),
          library.bucket.arnForObjects(library.s3ObjectKey),
        ],
      }),
    );
    const tableArns: string[] = [];
    const databaseArns: string[] = [];
    for (const [database, tables] of Object.entries(props.catalogTables)) {
      databaseArns.push(stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }));
      for (const table of tables) {
        tableArns.push(
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/${table}` }),
        );
      }
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CatalogOfTheLakeTables',
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
        ],
        resources: [stack.formatArn({ service: 'glue', resource: 'catalog' }), ...databaseArns, ...tableArns],
      }),
    );
    const logGroupPrefix = `/aws-glue/jobs/${props.jobName}`;
    const logGroupProps: logs.LogGroupProps = {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: key,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    };
    this.logGroups = {
      error: new logs.LogGroup(this, 'ErrorLogs', {
        ...logGroupProps,
        logGroupName: `${logGroupPrefix}/error`,
      }),
      output: new logs.LogGroup(this, 'OutputLogs', {
        ...logGroupProps,
        logGroupName: `${logGroupPrefix}/output`,
      }),
    };
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws-glue/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GlueLogGroups',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [logGroups],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'GlueJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ['Glue', LAKE_METRICS_NAMESPACE] } },
      }),
    );
    for (const statement of props.additionalStatements ?? []) role.addToPrincipalPolicy(statement);
    // S3 (SSE-KMS), CloudWatch logs and bookmarks (CSE-KMS) all use the key from the job's role.
    key.grantEncryptDecrypt(role);
    this.role = role;

    const securityConfigurationName = `${props.jobName}-security`;
    this.securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: securityConfigurationName,
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });

    this.job = new glue.CfnJob(this, 'Job', {
      name: props.jobName,
      description: props.description ?? 'Curates the lake (glue-scripts/jobs)',
      role: role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      glueVersion: '5.0',
      workerType,
      numberOfWorkers,
      timeout: timeoutMinutes,
      maxRetries,
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: this.securityConfiguration.ref,
      connections:
        props.connections !== undefined && props.connections.length > 0
          ? { connections: [...props.connections] }
          : undefined,
      defaultArguments: {
        '--custom-logGroup-prefix': logGroupPrefix,
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-metrics': 'true',
        '--enable-glue-datacatalog': 'true',
        '--extra-py-files': library.s3ObjectUrl,
        '--TempDir': props.curatedBucket.s3UrlForObject(`${JOB_STATE_PREFIX}/${props.jobName}/tmp/`),
        ...props.arguments,
      },
    });
    // The role's policy must exist before Glue validates the job's role.
    this.job.node.addDependency(role);

    if (props.schedule !== undefined) {
      this.trigger = new glue.CfnTrigger(this, 'Schedule', {
        name: `${props.jobName}-schedule`,
        description: `Starts ${props.jobName} on ${props.schedule}`,
        type: 'SCHEDULED',
        schedule: props.schedule,
        startOnCreation: true,
        actions: [{ jobName: this.job.ref }],
      });
    }

    const publisher = new iam.Role(this, 'AlarmPublisher', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Lets EventBridge publish failed runs of ${props.jobName} to the alarm topic`,
    });
    this.failureRule = new events.Rule(this, 'FailedRun', {
      description: `Notifies the alarm topic when a run of ${props.jobName} fails, times out or errors`,
      eventPattern: {
        source: ['aws.glue'],
        detailType: ['Glue Job State Change'],
        detail: { jobName: [this.job.ref], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      },
      targets: [new targets.SnsTopic(props.alarmTopic, { authorizeUsingRole: true, role: publisher })],
    });
    Validations.of(publisher).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "From topic.grantPublish: publishing to the KMS-encrypted alarm topic needs data keys of the topic's key; the resource is that key only.",
    });

    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          'From key.grantEncryptDecrypt on the one platform key: Glue re-encrypts bookmarks and S3 data keys with it; the resource is that key only.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'From key.grantEncryptDecrypt on the one platform key: SSE-KMS writes, CSE-KMS bookmarks and encrypted logs need data keys; the resource is that key only.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudwatch:PutMetricData has no resource type; the statement is limited to the Glue namespace and the lake run-metrics namespace with the cloudwatch:namespace condition. A job in a VPC (additionalStatements) also gets the ec2 Describe* actions and Create/DeleteNetworkInterface that Glue documents for placing its workers, which AWS documents with Resource *.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]`,
        reason:
          'Glue names the log groups of a run with an encrypting security configuration itself (under /aws-glue/), so their names are not known at deploy time; the grant is limited to that prefix.',
      },
    );
  }
}

/** Copies a Python package folder without its caches. */
function copyPythonPackage(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc'),
  });
}
