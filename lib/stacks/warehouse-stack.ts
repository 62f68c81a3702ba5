import * as path from 'node:path';
import {
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EnvironmentConfig, WarehouseUsageLimit } from '../config/environment-config';
import { LakeCatalog, PlatformFunction } from '../constructs';
import { copySqlCommands } from '../constructs/warehouse-sql-bundle';
import { resourceFinding } from '../constructs/private/nag';
import { CURATED_PREFIX } from '../lake/lake-layout';
import { LOADS, MATERIALIZED_VIEWS, sqlFingerprint } from '../../sql/registry';
import { LAMBDAS_ROOT } from './ingestion-stack';

/** Partitions one scheduled run loads per dataset at most; the next run takes the rest. */
export const MAX_PARTITIONS_PER_RUN = 200;

/** The construct id aws-cdk-lib gives the AwsCustomResource singleton function. */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Properties of the {@link WarehouseStack}. */
export interface WarehouseStackProps extends StackProps {
  /** The environment's configuration (the `warehouse` section). */
  readonly config: EnvironmentConfig;
  /** The platform key: namespace, admin secret, logs. */
  readonly key: kms.IKey;
  /** The curated lake bucket the COPY role reads (`curated/` only). */
  readonly curatedBucket: s3.IBucket;
  /** The lake's catalog (the curated database and table names the Glue catalog role may read). */
  readonly catalog: LakeCatalog;
  /** The private VPC (isolated subnets) the workgroup runs in. */
  readonly vpc: ec2.IVpc;
  /** The streams the streaming ingestion role may read: orders and inventory. */
  readonly streams: { readonly orders: kinesis.IStream; readonly inventory: kinesis.IStream };
  /** The topic failed loads notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Folder of the Lambda handlers.
   *
   * @default LAMBDAS_ROOT (the repository's lambdas/ folder)
   */
  readonly lambdasRoot?: string;
}

/**
 * The warehouse stack: Redshift Serverless (a namespace encrypted with the platform key, its admin
 * password generated and kept in Secrets Manager by Redshift, audit logs exported; a workgroup in
 * the isolated subnets, not public, enhanced VPC routing, TLS required), its usage limits, scheduled
 * snapshots, the roles Redshift assumes (COPY from curated/, the Glue catalog, streaming ingestion),
 * the schema migration custom resource (sql/migrations and sql/views on every deploy that changes
 * them), and the scheduled loads (EventBridge Scheduler → Step Functions → Data API), each run
 * ending with the refresh of the materialized views.
 *
 * Recovery: Redshift Serverless takes a recovery point of the namespace every 30 minutes and keeps
 * it 24 hours, by itself (not configurable). CloudFormation has AWS::RedshiftServerless::Snapshot,
 * but it takes one snapshot when the resource is created, not on a schedule; so scheduled snapshots
 * are an EventBridge Scheduler schedule calling CreateSnapshot (with `retentionPeriod`), and a final
 * snapshot is kept when the namespace is deleted (`finalSnapshotName`) where data is retained.
 */
export class WarehouseStack extends Stack {
  /** The namespace (database, admin, key, roles). */
  public readonly namespace: redshiftserverless.CfnNamespace;

  /** The workgroup (compute, network). */
  public readonly workgroup: redshiftserverless.CfnWorkgroup;

  /** The workgroup's security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The role Redshift assumes for COPY from the curated zone (the namespace's default role). */
  public readonly copyRole: iam.Role;

  /** The role Redshift assumes to read the curated database of the Glue Data Catalog (Spectrum). */
  public readonly glueCatalogRole: iam.Role;

  /** The role Redshift assumes for streaming ingestion from the orders and inventory streams. */
  public readonly streamingIngestionRole: iam.Role;

  /** ARN of the admin secret Redshift manages (username and password). */
  public readonly adminSecretArn: string;

  /** The state machine of the scheduled loads. */
  public readonly loadStateMachine: sfn.StateMachine;

  /** The alarms of the warehouse (failed and timed-out loads). */
  public readonly alarms: readonly cloudwatch.Alarm[];

  /** The schema migration custom resource. */
  public readonly migrations: CustomResource;

  /** The encrypted log group of the AwsCustomResource function (usage limits, secret lookup). */
  private readonly customResourceLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    super(scope, id, props);
    const { config, key } = props;
    const w = config.warehouse;
    const lambdasRoot = props.lambdasRoot ?? LAMBDAS_ROOT;
    const retain = config.retainData;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const name = `${config.prefix}-warehouse`;
    this.customResourceLogs = new logs.LogGroup(this, 'CustomResourceLogs', {
      encryptionKey: key,
      retention: config.retention.logDays as logs.RetentionDays,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.copyRole = this.redshiftRole(
      'CopyRole',
      `Assumed by the ${config.name} warehouse for COPY: reads ${CURATED_PREFIX}/ of the curated bucket`,
    );
    this.grantCuratedRead(this.copyRole, props);

    this.glueCatalogRole = this.redshiftRole(
      'GlueCatalogRole',
      `Assumed by the ${config.name} warehouse to read the curated database of the Glue Data Catalog and its data`,
    );
    this.grantCuratedRead(this.glueCatalogRole, props);
    const catalog = props.catalog;
    const curatedTables = Object.values(catalog.curatedTables).map(
      (t) => (t.tableInput as { name: string }).name,
    );
    this.glueCatalogRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCuratedCatalog',
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
        ],
        resources: [
          this.formatArn({ service: 'glue', resource: 'catalog' }),
          this.formatArn({
            service: 'glue',
            resource: 'database',
            resourceName: catalog.curatedDatabaseName,
          }),
          ...curatedTables.map((t) =>
            this.formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${catalog.curatedDatabaseName}/${t}`,
            }),
          ),
        ],
      }),
    );

    this.streamingIngestionRole = this.redshiftRole(
      'StreamingIngestionRole',
      `Assumed by the ${config.name} warehouse for streaming ingestion from the orders and inventory streams`,
    );
    this.streamingIngestionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOrdersAndInventoryStreams',
        actions: [
          'kinesis:DescribeStreamSummary',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
          'kinesis:DescribeStream',
        ],
        resources: [props.streams.orders.streamArn, props.streams.inventory.streamArn],
      }),
    );
    this.streamingIngestionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptStreams',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `kinesis.${this.region}.amazonaws.com` } },
      }),
    );

    this.namespace = new redshiftserverless.CfnNamespace(this, 'Namespace', {
      namespaceName: name,
      dbName: w.databaseName,
      adminUsername: w.adminUsername,
      // Redshift generates the password, keeps it in Secrets Manager (encrypted with the platform
      // key) and rotates it; it never appears in the template or in CDK.
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: key.keyArn,
      kmsKeyId: key.keyArn,
      iamRoles: [this.copyRole.roleArn, this.glueCatalogRole.roleArn, this.streamingIngestionRole.roleArn],
      defaultIamRoleArn: this.copyRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
      ...(retain
        ? {
            finalSnapshotName: `${name}-final`,
            finalSnapshotRetentionPeriod: w.snapshots.finalSnapshotRetentionDays,
          }
        : {}),
    });
    this.namespace.applyRemovalPolicy(removalPolicy);
    this.adminSecretArn = this.adminSecretArnOf(this.namespace);

    this.securityGroup = new ec2.SecurityGroup(this, 'WorkgroupSecurityGroup', {
      vpc: props.vpc,
      description: `${name}: Redshift from members of this group only; out to the VPC endpoints (isolated subnets, no other route)`,
      // Out only matters for COPY and streaming ingestion under enhanced VPC routing: the S3 gateway
      // endpoint (a prefix list) and the interface endpoints; the subnets have no other route.
      allowAllOutbound: true,
    });
    // Clients in the VPC join this group to reach Redshift; the Data API needs no ingress.
    this.securityGroup.addIngressRule(
      this.securityGroup,
      ec2.Port.tcp(5439),
      'Redshift clients that are members of this group',
    );

    this.workgroup = new redshiftserverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: name,
      namespaceName: this.namespace.namespaceName,
      baseCapacity: w.baseRpu,
      maxCapacity: w.maxRpu,
      subnetIds: props.vpc.isolatedSubnets.map((s) => s.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    this.workgroup.addResourceDependency(this.namespace);
    this.workgroup.applyRemovalPolicy(removalPolicy);

    for (const limit of w.usageLimits) this.usageLimit(limit);
    if (w.snapshots.schedule !== undefined)
      this.snapshotSchedule(w.snapshots.schedule, w.snapshots.retentionDays);

    const dataApiTarget = {
      WORKGROUP_NAME: name,
      DATABASE: w.databaseName,
      SECRET_ARN: this.adminSecretArn,
    };
    this.migrations = this.migrationResource(props, lambdasRoot, dataApiTarget);

    const loader = this.loaderFunction(props, lambdasRoot, dataApiTarget);
    this.loadStateMachine = this.loadStateMachineOf(props, loader);
    new scheduler.Schedule(this, 'LoadSchedule', {
      description: `Starts the ${config.name} warehouse loads (sql/loads) on ${w.loadSchedule} UTC`,
      schedule: scheduler.ScheduleExpression.expression(w.loadSchedule, TimeZone.ETC_UTC),
      target: new schedulerTargets.StepFunctionsStartExecution(this.loadStateMachine, { retryAttempts: 2 }),
    });
    this.alarms = this.loadAlarms(props);
    this.acknowledgeAwsCustomResourceFunction();

    new CfnOutput(this, 'WorkgroupName', { value: name });
    new CfnOutput(this, 'DatabaseName', { value: w.databaseName });
    new CfnOutput(this, 'AdminSecretArn', { value: this.adminSecretArn });
    new CfnOutput(this, 'CopyRoleArn', { value: this.copyRole.roleArn });
    new CfnOutput(this, 'StreamingIngestionRoleArn', { value: this.streamingIngestionRole.roleArn });
    new CfnOutput(this, 'LoadStateMachineArn', { value: this.loadStateMachine.stateMachineArn });
  }

  /** A role Redshift (provisioned and Serverless) can assume. */
  private redshiftRole(id: string, description: string): iam.Role {
    return new iam.Role(this, id, {
      description,
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ),
    });
  }

  /** Read-only access to `curated/` of the curated bucket and its key (through S3 only). */
  private grantCuratedRead(role: iam.Role, props: WarehouseStackProps): void {
    const bucket = props.curatedBucket;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCuratedObjects',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${CURATED_PREFIX}/*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListCuratedPrefix',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${CURATED_PREFIX}/*`] } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LocateCuratedBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptCuratedObjects',
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      }),
    );
    // The finding names the bucket's cross-stack export, which exists only once the app resolves
    // references; a construct validation runs after that, so the acknowledgement is made there.
    const objects = bucket.arnForObjects(`${CURATED_PREFIX}/*`);
    role.node.addValidation({
      validate: () => {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[${resourceFinding(role, objects)}]`,
          reason: `s3:GetObject on <curated bucket>/${CURATED_PREFIX}/* only: the wildcard is the prefix scope (COPY and Spectrum read every object of a partition folder).`,
        });
        return [];
      },
    });
  }

  /**
   * A usage limit on the workgroup's RPU-hours. CloudFormation has no resource for Redshift
   * Serverless usage limits (only AWS::Redshift::UsageLimit, for provisioned clusters), so an
   * AwsCustomResource calls CreateUsageLimit, UpdateUsageLimit (amount, breach action) and
   * DeleteUsageLimit. The period cannot be updated, so each period is its own resource.
   */
  private usageLimit(limit: WarehouseUsageLimit): void {
    const usageLimitArn = this.formatArn({
      service: 'redshift-serverless',
      resource: 'usagelimit',
      resourceName: '*',
    });
    const resource = new cr.AwsCustomResource(this, `UsageLimit-${limit.period}`, {
      resourceType: 'Custom::RedshiftServerlessUsageLimit',
      installLatestAwsSdk: false,
      logGroup: this.customResourceLogs,
      onCreate: {
        service: 'redshift-serverless',
        action: 'CreateUsageLimit',
        parameters: {
          resourceArn: this.workgroup.attrWorkgroupWorkgroupArn,
          usageType: 'serverless-compute',
          period: limit.period,
          amount: limit.rpuHours,
          breachAction: limit.breachAction,
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onUpdate: {
        service: 'redshift-serverless',
        action: 'UpdateUsageLimit',
        parameters: {
          usageLimitId: new cr.PhysicalResourceIdReference(),
          amount: limit.rpuHours,
          breachAction: limit.breachAction,
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId'),
      },
      onDelete: {
        service: 'redshift-serverless',
        action: 'DeleteUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference() },
        ignoreErrorCodesMatching: 'ResourceNotFoundException',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift-serverless:CreateUsageLimit'],
          resources: [this.workgroup.attrWorkgroupWorkgroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['redshift-serverless:UpdateUsageLimit', 'redshift-serverless:DeleteUsageLimit'],
          resources: [usageLimitArn],
        }),
      ]),
      timeout: Duration.minutes(2),
    });
    resource.node.addDependency(this.workgroup);
    Validations.of(resource).acknowledge({
      id: `AwsSolutions-IAM5[${resourceFinding(this, usageLimitArn)}]`,
      reason:
        'Usage limit ids are generated by Redshift Serverless when the limit is created; the statement allows only Update and Delete of usage limits.',
    });
  }

  /** Acknowledges what the AwsCustomResource singleton function is made of (once per stack). */
  private acknowledgeAwsCustomResourceFunction(): void {
    const singleton = this.node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
    if (singleton === undefined) return;
    Validations.of(singleton).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "aws-cdk-lib's AwsCustomResource function (usage limits, admin secret lookup) always gets AWSLambdaBasicExecutionRole for its logs; its API permissions are the narrow statements of each custom resource.",
    });
  }

  /** A schedule that snapshots the namespace and keeps the snapshot `retentionDays`. */
  private snapshotSchedule(expression: string, retentionDays: number): void {
    const namespaceName = this.namespace.namespaceName;
    const snapshots = this.formatArn({
      service: 'redshift-serverless',
      resource: 'snapshot',
      resourceName: '*',
    });
    const schedule = new scheduler.Schedule(this, 'SnapshotSchedule', {
      description: `Snapshots the warehouse namespace on ${expression} UTC, kept ${retentionDays} days`,
      schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.ETC_UTC),
      target: new schedulerTargets.Universal({
        service: 'redshiftserverless',
        action: 'createSnapshot',
        // The execution id makes each snapshot's name unique.
        input: scheduler.ScheduleTargetInput.fromObject({
          namespaceName,
          snapshotName: `${namespaceName}-${scheduler.ContextAttribute.executionId}`,
          retentionPeriod: retentionDays,
        }),
        policyStatements: [
          new iam.PolicyStatement({
            actions: ['redshift-serverless:CreateSnapshot'],
            resources: [this.namespace.attrNamespaceNamespaceArn, snapshots],
          }),
        ],
        retryAttempts: 2,
      }),
    });
    // The target's role is created by the target at the stack's level.
    for (const child of this.node.children.filter((c) => c.node.id.startsWith('SchedulerRoleForTarget'))) {
      Validations.of(child).acknowledge({
        id: `AwsSolutions-IAM5[${resourceFinding(this, snapshots)}]`,
        reason:
          'CreateSnapshot authorizes the snapshot it creates, whose id Redshift Serverless generates; the namespace is named exactly.',
      });
    }
    void schedule;
  }

  /**
   * The ARN of the admin secret Redshift manages. CloudFormation returns no attribute for it
   * (AWS::RedshiftServerless::Namespace has no AdminPasswordSecretArn in Fn::GetAtt), so a custom
   * resource reads it with GetNamespace after the namespace exists.
   */
  private adminSecretArnOf(namespace: redshiftserverless.CfnNamespace): string {
    const read = {
      service: 'redshift-serverless',
      action: 'GetNamespace',
      parameters: { namespaceName: namespace.namespaceName },
      physicalResourceId: cr.PhysicalResourceId.of(`${namespace.namespaceName}-admin-secret`),
      outputPaths: ['namespace.adminPasswordSecretArn'],
    };
    const lookup = new cr.AwsCustomResource(this, 'AdminSecretLookup', {
      resourceType: 'Custom::RedshiftServerlessAdminSecret',
      installLatestAwsSdk: false,
      logGroup: this.customResourceLogs,
      onCreate: read,
      onUpdate: read,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['redshift-serverless:GetNamespace'],
          resources: [namespace.attrNamespaceNamespaceArn],
        }),
      ]),
      timeout: Duration.minutes(2),
    });
    lookup.node.addDependency(namespace);
    return lookup.getResponseField('namespace.adminPasswordSecretArn');
  }

  /**
   * Gives a runner role the Data API: this workgroup's statements, its own statements' results,
   * the admin secret. Acknowledges the one wildcard with its reason.
   */
  private grantDataApi(role: iam.Role, key: kms.IKey): void {
    for (const s of this.dataApiStatements(key)) role.addToPolicy(s);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; the Data API statement actions (DescribeStatement, GetStatementResult, ListStatements) have no resource type either.',
    });
  }

  /** The Data API permissions of a runner role: this workgroup's statements, the admin secret. */
  private dataApiStatements(key: kms.IKey): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'RunStatementsOnTheWorkgroup',
        actions: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'],
        resources: [this.workgroup.attrWorkgroupWorkgroupArn],
      }),
      // No resource type: the Data API shows a role only the statements it ran.
      new iam.PolicyStatement({
        sid: 'FollowOwnStatements',
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:ListStatements',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'SignInWithAdminSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.adminSecretArn],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptAdminSecret',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
      }),
    ];
  }

  /**
   * The schema migration custom resource: a Provider (onEvent + isComplete) over the Data API.
   * Properties carry the fingerprint of every SQL file, so a deploy that changes one runs it.
   */
  private migrationResource(
    props: WarehouseStackProps,
    lambdasRoot: string,
    target: Record<string, string>,
  ): CustomResource {
    const { config } = props;
    const role = new iam.Role(this, 'MigrationsRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${config.name} warehouse schema migrations and views through the Data API`,
    });
    this.grantDataApi(role, props.key);
    const common = {
      entry: path.join(lambdasRoot, 'warehouse-migrations', 'handler.ts'),
      serviceName: 'warehouse-migrations',
      role,
      environment: {
        ...target,
        STATEMENT_PREFIX: `${config.prefix}-migrations`,
        // The migrations' placeholders: V005 reads these streams with this role.
        STREAMING_ROLE_ARN: this.streamingIngestionRole.roleArn,
        ORDERS_STREAM: props.streams.orders.streamName,
        INVENTORY_STREAM: props.streams.inventory.streamName,
      },
      logEncryptionKey: props.key,
      logRetention: config.retention.logDays as logs.RetentionDays,
      logRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeout: Duration.minutes(1),
      afterBundling: copySqlCommands,
    };
    const onEvent = new PlatformFunction(this, 'MigrationsOnEvent', {
      ...common,
      handler: 'onEvent',
      description: 'Warehouse schema migrations: starts a run (custom resource onEvent)',
    });
    const isComplete = new PlatformFunction(this, 'MigrationsIsComplete', {
      ...common,
      handler: 'isComplete',
      description: 'Warehouse schema migrations: drives a run to its end (custom resource isComplete)',
    });
    const providerLogs = new logs.LogGroup(this, 'MigrationsProviderLogs', {
      encryptionKey: props.key,
      retention: config.retention.logDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'MigrationsProvider', {
      onEventHandler: onEvent.function,
      isCompleteHandler: isComplete.function,
      queryInterval: Duration.seconds(10),
      totalTimeout: Duration.minutes(config.warehouse.migrationTimeoutMinutes),
      logGroup: providerLogs,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: providerLogs,
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.acknowledgeProvider(provider, [onEvent.function, isComplete.function]);
    const resource = new CustomResource(this, 'SchemaMigrations', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::WarehouseSchemaMigrations',
      properties: {
        Workgroup: this.workgroup.attrWorkgroupWorkgroupName,
        Database: config.warehouse.databaseName,
        Fingerprint: sqlFingerprint(),
      },
    });
    resource.node.addDependency(this.workgroup);
    return resource;
  }

  /** What the CDK Provider framework is made of and cannot be configured away. */
  private acknowledgeProvider(provider: cr.Provider, handlers: lambda.IFunction[]): void {
    const framework = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'];
    for (const id of framework) {
      const fn = provider.node.findChild(id);
      Validations.of(fn).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "The CDK Provider framework's own functions always get AWSLambdaBasicExecutionRole (their logs); they only invoke this resource's two handlers.",
        },
        ...handlers.map((h) => ({
          id: `AwsSolutions-IAM5[${resourceFinding(this, `${h.functionArn}:*`)}]`,
          reason:
            'The Provider framework invokes the handler function and any of its versions (lambda:InvokeFunction on <arn>:*); it is this one function.',
        })),
        {
          id: 'AwsSolutions-L1',
          reason:
            "The Provider framework's functions use the runtime aws-cdk-lib pins for them; the handlers themselves run Node.js 24.",
        },
      );
    }
    const waiter = provider.node.findChild('waiter-state-machine');
    const frameworkFunctions = ['framework-isComplete', 'framework-onTimeout'].map(
      (id) => provider.node.findChild(id) as lambda.IFunction,
    );
    Validations.of(waiter).acknowledge(
      ...frameworkFunctions.map((f) => ({
        id: `AwsSolutions-IAM5[${resourceFinding(this, `${f.functionArn}:*`)}]`,
        reason:
          "The Provider framework's waiter invokes its isComplete and onTimeout functions and their versions.",
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Logging to CloudWatch Logs from Step Functions (logs:CreateLogDelivery, logs:DescribeLogGroups and friends) supports no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-SF2',
        reason:
          "The Provider framework's waiter state machine offers no X-Ray setting; it only loops on isComplete, whose function is traced.",
      },
    );
  }

  /** The function of the load state machine (plan, submit, poll; refresh, pollRefresh). */
  private loaderFunction(
    props: WarehouseStackProps,
    lambdasRoot: string,
    target: Record<string, string>,
  ): PlatformFunction {
    const { config } = props;
    const role = new iam.Role(this, 'LoaderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${config.name} warehouse loads through the Data API and lists curated/ of the curated bucket`,
    });
    this.grantDataApi(role, props.key);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListCuratedPrefix',
        actions: ['s3:ListBucket'],
        resources: [props.curatedBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${CURATED_PREFIX}/*`] } },
      }),
    );
    return new PlatformFunction(this, 'Loader', {
      entry: path.join(lambdasRoot, 'warehouse-loader', 'handler.ts'),
      serviceName: 'warehouse-loader',
      description:
        'Warehouse loads: plans, submits and polls the load of each changed curated partition, then the refresh of each materialized view',
      role,
      environment: {
        ...target,
        CURATED_BUCKET: props.curatedBucket.bucketName,
        COPY_ROLE_ARN: this.copyRole.roleArn,
        STATEMENT_PREFIX: `${config.prefix}-loads`,
        MAX_PARTITIONS_PER_RUN: String(MAX_PARTITIONS_PER_RUN),
      },
      logEncryptionKey: props.key,
      logRetention: config.retention.logDays as logs.RetentionDays,
      logRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // The watermark query waits for its result (up to 2 minutes while the workgroup resumes).
      timeout: Duration.minutes(3),
      afterBundling: copySqlCommands,
    });
  }

  /**
   * For each LOADS entry in order: plan (watermark, listing, changed partitions), then for each
   * partition in order: submit its batch, wait, poll until it finished. One load at a time and one
   * partition at a time, so that the watermark only moves forward. Then, once every load is done,
   * for each MATERIALIZED_VIEWS entry in order: submit its REFRESH (one statement, its own
   * transaction), wait, poll until it finished; one at a time, so that an MV is refreshed after the
   * MVs it reads. A failed load or refresh fails the execution (and the LoadsFailed alarm).
   */
  private loadStateMachineOf(props: WarehouseStackProps, loader: PlatformFunction): sfn.StateMachine {
    const { config } = props;
    const fn = loader.function;
    const invoke = (id: string, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, id, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        resultSelector: { 'value.$': '$.Payload' },
        resultPath,
        retryOnServiceExceptions: true,
      });
    // Submit a Data API statement, then wait and poll until it is no longer RUNNING (a failure throws).
    const untilFinished = (
      submitted: tasks.LambdaInvoke,
      waitId: string,
      seconds: number,
      polled: tasks.LambdaInvoke,
      choiceId: string,
      doneId: string,
    ) => {
      const waitState = new sfn.Wait(this, waitId, {
        time: sfn.WaitTime.duration(Duration.seconds(seconds)),
      });
      return submitted
        .next(waitState)
        .next(polled)
        .next(
          new sfn.Choice(this, choiceId)
            .when(sfn.Condition.stringEquals('$.poll.value.status', 'RUNNING'), waitState)
            .otherwise(new sfn.Succeed(this, doneId)),
        );
    };
    const plan = invoke('Plan', { action: 'plan', 'dataset.$': '$.dataset', 'runId.$': '$.runId' }, '$.plan');
    const submit = invoke(
      'Submit',
      {
        action: 'submit',
        'dataset.$': '$.dataset',
        'runId.$': '$.runId',
        'partition.$': '$.partition',
        'sourceModifiedAt.$': '$.sourceModifiedAt',
      },
      '$.submitted',
    );
    const poll = invoke(
      'Poll',
      {
        action: 'poll',
        'dataset.$': '$.dataset',
        'partition.$': '$.partition',
        'statementId.$': '$.submitted.value.statementId',
      },
      '$.poll',
    );
    const partitionLoop = untilFinished(
      submit,
      'WaitForBatch',
      20,
      poll,
      'BatchFinished?',
      'PartitionLoaded',
    );
    const eachPartition = new sfn.Map(this, 'EachPartition', {
      itemsPath: '$.plan.value.partitions',
      maxConcurrency: 1,
      itemSelector: {
        'dataset.$': '$.dataset',
        'runId.$': '$.runId',
        'partition.$': '$$.Map.Item.Value.partition',
        'sourceModifiedAt.$': '$$.Map.Item.Value.sourceModifiedAt',
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    eachPartition.itemProcessor(partitionLoop);
    const eachLoad = new sfn.Map(this, 'EachLoad', {
      itemsPath: '$.datasets',
      maxConcurrency: 1,
      itemSelector: { 'dataset.$': '$$.Map.Item.Value', 'runId.$': '$$.Execution.Name' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    eachLoad.itemProcessor(plan.next(eachPartition));
    const datasets = new sfn.Pass(this, 'Loads', {
      comment: 'The LOADS of sql/registry.ts, in order (dimensions before the facts that use them)',
      result: sfn.Result.fromObject({ datasets: LOADS.map((l) => l.dataset) }),
    });
    const refresh = invoke(
      'Refresh',
      { action: 'refresh', 'materializedView.$': '$.materializedView', 'runId.$': '$.runId' },
      '$.submitted',
    );
    const pollRefresh = invoke(
      'PollRefresh',
      {
        action: 'pollRefresh',
        'materializedView.$': '$.materializedView',
        'statementId.$': '$.submitted.value.statementId',
      },
      '$.poll',
    );
    const refreshLoop = untilFinished(
      refresh,
      'WaitForRefresh',
      10,
      pollRefresh,
      'RefreshFinished?',
      'MaterializedViewRefreshed',
    );
    const eachMaterializedView = new sfn.Map(this, 'EachMaterializedView', {
      itemsPath: '$.refresh.materializedViews',
      maxConcurrency: 1,
      itemSelector: { 'materializedView.$': '$$.Map.Item.Value', 'runId.$': '$$.Execution.Name' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    eachMaterializedView.itemProcessor(refreshLoop);
    // Under $.refresh, next to $.datasets (the Loads Pass's result), not in place of it.
    const materializedViews = new sfn.Pass(this, 'MaterializedViews', {
      comment:
        'The MATERIALIZED_VIEWS of sql/registry.ts, in refresh order (an MV after the MVs it reads), refreshed once every load is done',
      result: sfn.Result.fromObject({ materializedViews: [...MATERIALIZED_VIEWS] }),
      resultPath: '$.refresh',
    });
    const logGroup = new logs.LogGroup(this, 'LoadStateMachineLogs', {
      encryptionKey: props.key,
      retention: config.retention.logDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const stateMachine = new sfn.StateMachine(this, 'LoadStateMachine', {
      stateMachineName: `${config.prefix}-warehouse-loads`,
      comment:
        'Loads the changed partitions of each curated dataset into the warehouse (sql/loads), then refreshes each materialized view (MATERIALIZED_VIEWS of sql/registry.ts)',
      definitionBody: sfn.DefinitionBody.fromChainable(
        datasets.next(eachLoad).next(materializedViews).next(eachMaterializedView),
      ),
      timeout: Duration.minutes(config.warehouse.loadTimeoutMinutes),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(stateMachine.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[${resourceFinding(this, `${fn.functionArn}:*`)}]`,
        reason:
          'LambdaInvoke allows the loader function and its versions (<arn>:*); it is this one function.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.',
      },
    );
    return stateMachine;
  }

  /** A failed or timed-out load execution notifies the alarm topic. */
  private loadAlarms(props: WarehouseStackProps): cloudwatch.Alarm[] {
    const sm = this.loadStateMachine;
    const alarms = [
      [
        'LoadsFailed',
        sm.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        'failed (the execution names the load file and statement, or the materialized view, and the Redshift error)',
      ],
      [
        'LoadsTimedOut',
        sm.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
        `did not finish in ${props.config.warehouse.loadTimeoutMinutes} minutes`,
      ],
    ] as const;
    return alarms.map(([id, metric, what]) => {
      const alarm = new cloudwatch.Alarm(this, id, {
        alarmName: `${props.config.prefix}-warehouse-${id.toLowerCase()}`,
        alarmDescription: `A warehouse load run ${what}. Look at the execution of ${props.config.prefix}-warehouse-loads in Step Functions. Runbook: docs/runbook.md#warehouse-${id === 'LoadsFailed' ? 'loads-failed' : 'loads-timed-out'}`,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
      return alarm;
    });
  }
}
