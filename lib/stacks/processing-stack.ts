import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { CurationJob, LAKE_METRICS_NAMESPACE, LakeCatalog, QualityRulesets } from '../constructs';
import { EVENT_DATASETS } from '../lake/lake-datasets';
import { WORKFLOW_JOBS, WorkflowJob, glueJobName } from '../lake/lake-workflow';
import { DOCUMENT_TABLE_IDS, tableName } from '../tables/table-definitions';

/** The repository's glue-scripts folder: jobs/<job>.py and the common/ package. */
export const GLUE_SCRIPTS_ROOT = path.resolve(__dirname, '..', '..', 'glue-scripts');

/** Properties of the {@link ProcessingStack}. */
export interface ProcessingStackProps extends StackProps {
  /** The environment's configuration (the `glue` section sizes and schedules the jobs; `oltp` is the source database). */
  readonly config: EnvironmentConfig;
  /** The platform key. */
  readonly key: kms.IKey;
  /** The raw lake bucket. */
  readonly rawBucket: s3.IBucket;
  /** The curated lake bucket. */
  readonly curatedBucket: s3.IBucket;
  /** The lake's catalog (database and table names). */
  readonly catalog: LakeCatalog;
  /** The prefix policies of the lake, from the storage stack. */
  readonly lakePolicies: {
    /** raw `events/`, read. */
    readonly rawEventsReader: iam.IManagedPolicy;
    /** raw `oltp/`, read and write. */
    readonly oltpExtractWriter: iam.IManagedPolicy;
    /** raw `dynamodb/`, export and read. */
    readonly documentExportWriter: iam.IManagedPolicy;
    /** raw `third-party/`, read. */
    readonly thirdPartyReader: iam.IManagedPolicy;
    /** curated `curated/`, `quarantine/`, `_state/`, read and write. */
    readonly curatedWriter: iam.IManagedPolicy;
  };
  /** The VPC the JDBC connection to the OLTP database runs in. */
  readonly vpc: ec2.IVpc;
  /** The OLTP extraction's database credentials (`username`, `password`). */
  readonly oltpCredentials: secretsmanager.ISecret;
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
 * The processing stack: the lake's Glue workflow. One Glue job per entry of glue-scripts/workflow.json
 * (OLTP extraction, DynamoDB documents, raw events, third-party files), a scheduled trigger that
 * starts the jobs with no upstream job on `config.glue.schedule`, and one conditional trigger per job
 * that starts it when all its upstream jobs have succeeded (a failed job stops what depends on it,
 * after its own retries). The JDBC connection to the shop's OLTP database runs in the platform's
 * VPC. Every job notifies the alarm topic when a run fails. Also the Glue Data Quality rulesets of
 * the curated tables. Stateless (jobs, roles, triggers), so it can be replaced freely; the data and
 * the catalog stay in the storage stack.
 */
export class ProcessingStack extends Stack {
  /** The jobs, by their name in glue-scripts/workflow.json. */
  public readonly jobs: Readonly<Record<string, CurationJob>>;

  /** The raw-events-to-curated job. */
  public readonly rawEventsToCurated: CurationJob;

  /** The workflow that runs the jobs in order. */
  public readonly workflow: glue.CfnWorkflow;

  /** The JDBC connection to the OLTP database. */
  public readonly oltpConnection: glue.CfnConnection;

  /** The Glue Data Quality rulesets of the curated tables (the job's gates, as DQDL). */
  public readonly qualityRulesets: QualityRulesets;

  /** Per job: a quality gate stopped a partition; a run did not reconcile. */
  public readonly dataAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { config, catalog } = props;
    const root = props.glueScriptsRoot ?? GLUE_SCRIPTS_ROOT;
    const policies = props.lakePolicies;
    const logRemovalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.oltpConnection = this.jdbcConnection(props);

    const rawTables = Object.values(catalog.rawTables).map((t) => tableNameOf(t));
    const curatedTables = [
      ...Object.values(catalog.curatedTables).map((t) => tableNameOf(t)),
      ...Object.values(catalog.quarantineTables).map((t) => tableNameOf(t)),
    ];
    const common = {
      '--raw-root': props.rawBucket.s3UrlForObject(),
      '--curated-root': props.curatedBucket.s3UrlForObject(),
      '--metrics-namespace': LAKE_METRICS_NAMESPACE,
    };
    /** What differs between the jobs: their arguments, lake prefixes and extra permissions. */
    const specifics: Record<
      string,
      {
        arguments: Record<string, string>;
        policies: iam.IManagedPolicy[];
        statements?: iam.PolicyStatement[];
        connections?: string[];
      }
    > = {
      oltp_to_curated: {
        arguments: { '--connection-name': this.oltpConnection.ref },
        policies: [policies.oltpExtractWriter, policies.curatedWriter],
        connections: [this.oltpConnection.ref],
        statements: this.oltpStatements(props),
      },
      dynamodb_documents_to_curated: {
        arguments: {
          '--export-mode': 'start',
          '--table-prefix': config.prefix,
          '--export-bucket': props.rawBucket.bucketName,
          '--kms-key-arn': props.key.keyArn,
          '--export-interval-hours': String(config.glue.documentExportIntervalHours),
        },
        policies: [policies.documentExportWriter, policies.curatedWriter],
        statements: this.exportStatements(config.prefix),
      },
      raw_events_to_curated: {
        arguments: { '--datasets': EVENT_DATASETS.map((d) => d.name).join(','), '--bookmarks': 'glue' },
        policies: [policies.rawEventsReader, policies.curatedWriter],
      },
      third_party_files_to_curated: {
        arguments: {},
        policies: [policies.thirdPartyReader, policies.curatedWriter],
      },
    };

    const jobs: Record<string, CurationJob> = {};
    for (const job of WORKFLOW_JOBS) {
      const specific = specifics[job.name];
      if (specific === undefined) {
        throw new Error(
          `ProcessingStack: glue-scripts/workflow.json lists job '${job.name}', which lib/stacks/processing-stack.ts does not know how to deploy (add its arguments and permissions there)`,
        );
      }
      jobs[job.name] = new CurationJob(this, pascalCase(job.name), {
        jobName: glueJobName(config.prefix, job.name),
        description: job.description,
        scriptPath: path.join(root, job.script),
        libraryRoot: root,
        packagedContracts: packagedContractFiles(),
        rawBucket: props.rawBucket,
        curatedBucket: props.curatedBucket,
        lakePolicies: specific.policies,
        encryptionKey: props.key,
        catalogTables: {
          [catalog.rawDatabaseName]: rawTables,
          [catalog.curatedDatabaseName]: curatedTables,
        },
        arguments: { ...common, ...specific.arguments },
        connections: specific.connections,
        additionalStatements: specific.statements,
        alarmTopic: props.alarmTopic,
        workerType: config.glue.workerType,
        numberOfWorkers: config.glue.numberOfWorkers,
        timeout: Duration.minutes(config.glue.timeoutMinutes),
        maxRetries: config.glue.maxRetries,
        logRetention: config.retention.logDays as logs.RetentionDays,
        logRemovalPolicy,
      });
    }
    this.jobs = jobs;
    this.dataAlarms = this.runMetricAlarms(config, props.alarmTopic);
    Validations.of(jobs.oltp_to_curated.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]`,
      reason:
        "Glue names its workers' network interfaces at run time; the statement only tags them, with the one tag key Glue uses (aws-glue-service-resource) as a condition.",
    });
    Validations.of(jobs.dynamodb_documents_to_curated.role).acknowledge(
      ...DOCUMENT_TABLE_IDS.map((id) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/${tableName(config.prefix, id)}/export/*]`,
        reason:
          'DescribeExport on the exports of this one document table: export ids are made by DynamoDB when the job starts an export.',
      })),
    );
    this.rawEventsToCurated = jobs.raw_events_to_curated;
    this.workflow = this.lakeWorkflow(config, WORKFLOW_JOBS, jobs);

    // Names only (no tokens): the catalog is in the storage stack, and the rulesets need no export.
    this.qualityRulesets = new QualityRulesets(this, 'QualityRulesets', {
      prefix: config.prefix,
      databaseName: catalog.curatedDatabaseName,
      tableNames: Object.fromEntries(
        Object.entries(catalog.curatedTables).map(([dataset, t]) => [dataset, tableNameOf(t)]),
      ),
    });

    new CfnOutput(this, 'WorkflowName', { value: this.workflow.ref });
    new CfnOutput(this, 'RawEventsToCuratedJobName', { value: this.rawEventsToCurated.job.ref });
  }

  /**
   * Two alarms per job on the run metrics it publishes (glue-scripts/common/metrics.py): a quality
   * gate stopped the publication of a partition, or the run's counts did not reconcile. A run that
   * fails outright alarms through its job's EventBridge rule instead.
   */
  private runMetricAlarms(config: EnvironmentConfig, topic: sns.ITopic): cloudwatch.Alarm[] {
    const alarms: cloudwatch.Alarm[] = [];
    for (const job of WORKFLOW_JOBS) {
      const id = pascalCase(job.name);
      for (const [metricName, what, anchor] of [
        [
          'GateFailures',
          'a quality gate stopped the publication of a partition (see the run report under _state/)',
          'lake-gate-failures',
        ],
        [
          'Unreconciled',
          'a run read a different number of rows than it wrote, quarantined and deduplicated',
          'lake-unreconciled-run',
        ],
      ] as const) {
        const alarm = new cloudwatch.Alarm(this, `${id}${metricName}`, {
          alarmName: `${glueJobName(config.prefix, job.name)}-${metricName.toLowerCase()}`,
          alarmDescription: `${job.name}: ${what}. Runbook: docs/runbook.md#${anchor}`,
          metric: new cloudwatch.Metric({
            namespace: LAKE_METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { Job: job.name },
            statistic: 'Sum',
            period: Duration.hours(1),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
        alarms.push(alarm);
      }
    }
    return alarms;
  }

  /**
   * The Glue workflow: a scheduled trigger starts the jobs with no upstream job; a conditional
   * trigger per other job starts it once every upstream job of the same workflow run has succeeded.
   */
  private lakeWorkflow(
    config: EnvironmentConfig,
    order: readonly WorkflowJob[],
    jobs: Readonly<Record<string, CurationJob>>,
  ): glue.CfnWorkflow {
    const workflow = new glue.CfnWorkflow(this, 'Workflow', {
      name: `${config.prefix}-lake`,
      description:
        'Curates the lake: OLTP dimensions first, then the events and files that refer to them (glue-scripts/workflow.json)',
      maxConcurrentRuns: 1,
    });
    const roots = order.filter((j) => j.after.length === 0);
    new glue.CfnTrigger(this, 'WorkflowSchedule', {
      name: `${config.prefix}-lake-schedule`,
      description: `Starts the lake workflow on ${config.glue.schedule}`,
      workflowName: workflow.ref,
      type: 'SCHEDULED',
      schedule: config.glue.schedule,
      startOnCreation: true,
      actions: roots.map((j) => ({ jobName: jobs[j.name].job.ref })),
    });
    for (const job of order.filter((j) => j.after.length > 0)) {
      new glue.CfnTrigger(this, `After-${pascalCase(job.name)}`, {
        name: `${glueJobName(config.prefix, job.name)}-after-upstream`,
        description: `Starts ${job.name} when ${job.after.join(' and ')} succeeded in the same workflow run`,
        workflowName: workflow.ref,
        type: 'CONDITIONAL',
        startOnCreation: true,
        predicate: {
          logical: 'AND',
          conditions: job.after.map((upstream) => ({
            logicalOperator: 'EQUALS',
            jobName: jobs[upstream].job.ref,
            state: 'SUCCEEDED',
          })),
        },
        actions: [{ jobName: jobs[job.name].job.ref }],
      });
    }
    return workflow;
  }

  /**
   * The JDBC connection to the shop's PostgreSQL database: credentials from Secrets Manager, TLS
   * enforced, in the first private subnet of the VPC with a security group that lets Glue's workers
   * talk to each other (Glue requires the self-reference) and nothing else in.
   */
  private jdbcConnection(props: ProcessingStackProps): glue.CfnConnection {
    const { config, vpc } = props;
    const securityGroup = new ec2.SecurityGroup(this, 'OltpConnectionSecurityGroup', {
      vpc,
      description: 'Glue workers of the OLTP extraction: each other (all TCP, as Glue requires) and out',
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(securityGroup, ec2.Port.allTcp(), 'Glue workers of the same job');
    const subnet = vpc.isolatedSubnets[0];
    return new glue.CfnConnection(this, 'OltpConnection', {
      catalogId: this.account,
      connectionInput: {
        name: `${config.prefix}-oltp`,
        description: "The shop's transactional PostgreSQL database (read by the OLTP extraction)",
        connectionType: 'JDBC',
        connectionProperties: {
          JDBC_CONNECTION_URL: config.oltp.jdbcUrl,
          SECRET_ID: props.oltpCredentials.secretName,
          JDBC_ENFORCE_SSL: 'true',
        },
        physicalConnectionRequirements: {
          subnetId: subnet.subnetId,
          availabilityZone: subnet.availabilityZone,
          securityGroupIdList: [securityGroup.securityGroupId],
        },
      },
    });
  }

  /** What the OLTP job needs besides the lake: its connection, its secret, and network interfaces in the VPC. */
  private oltpStatements(props: ProcessingStackProps): iam.PolicyStatement[] {
    const connectionArn = this.formatArn({
      service: 'glue',
      resource: 'connection',
      resourceName: `${props.config.prefix}-oltp`,
    });
    return [
      new iam.PolicyStatement({
        sid: 'OltpConnection',
        actions: ['glue:GetConnection'],
        resources: [this.formatArn({ service: 'glue', resource: 'catalog' }), connectionArn],
      }),
      new iam.PolicyStatement({
        sid: 'OltpCredentials',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [props.oltpCredentials.secretArn],
      }),
      // What a Glue job in a VPC needs to place its workers' network interfaces (AWS documents these
      // for the service role); the Describe actions have no resource type.
      new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeVpcAttribute',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'TagGlueNetworkInterfaces',
        actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
        resources: [this.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['aws-glue-service-resource'] } },
      }),
    ];
  }

  /** What the documents job needs to export the document tables (PITR is on for every table). */
  private exportStatements(prefix: string): iam.PolicyStatement[] {
    const tableArns = DOCUMENT_TABLE_IDS.map((id) =>
      this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName(prefix, id) }),
    );
    return [
      new iam.PolicyStatement({
        sid: 'ExportDocumentTables',
        actions: ['dynamodb:ExportTableToPointInTime', 'dynamodb:DescribeTable'],
        resources: tableArns,
      }),
      new iam.PolicyStatement({
        sid: 'FollowDocumentTableExports',
        actions: ['dynamodb:DescribeExport'],
        resources: tableArns.map((arn) => `${arn}/export/*`),
      }),
    ];
  }
}

function tableNameOf(table: { tableInput: unknown }): string {
  return (table.tableInput as { name: string }).name;
}

function pascalCase(snake: string): string {
  return snake.replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
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
