/**
 * The warehouse stack of every environment: Redshift Serverless namespace and workgroup, the roles
 * Redshift assumes, usage limits, snapshots, the schema migration custom resource, the scheduled
 * loads (then the refresh of the materialized views) and their alarms. Bundling is skipped (helpers.testApp); cdk-nag runs in platform-app.test.ts.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../lib/config/environments';
import { buildPlatformApp } from '../../lib/platform-app';
import { MATERIALIZED_VIEWS, sqlFingerprint } from '../../sql/registry';
import { nagFindings, testApp } from './helpers';

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };

/** Every statement of the inline policies attached to a role whose logical id starts with `prefix`. */
function statementsOf(
  template: Template,
  rolePrefix: string,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: never[] }).Statement);
}

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** A state of a state machine definition (the fields the tests read). */
interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Result?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly ItemsPath?: string;
  readonly ItemSelector?: Record<string, unknown>;
  readonly MaxConcurrency?: number;
  readonly Parameters?: { readonly Payload?: Record<string, unknown> };
  readonly Seconds?: number;
  readonly ItemProcessor?: { readonly StartAt: string; readonly States: Record<string, State> };
}

/**
 * The parsed definition of a state machine: its DefinitionString is an Fn::Join of JSON text and
 * references (the Lambda ARN), which all sit inside JSON strings, so a placeholder keeps it JSON.
 */
function definitionOf(sm: Resource): { StartAt: string; States: Record<string, State> } {
  const body = sm.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text) as { StartAt: string; States: Record<string, State> };
}

describe.each(['dev', 'staging', 'prod'] as EnvironmentName[])('the %s warehouse stack', (name) => {
  const config = ENVIRONMENTS[name];
  const w = config.warehouse;
  const app = testApp();
  const stacks = buildPlatformApp(app, loadEnvironmentConfig(name), { nag: false });
  const template = Template.fromStack(stacks.warehouse);
  const json = JSON.stringify(template.toJSON());

  test('encrypts the namespace with the platform key, lets Redshift manage the admin password, exports audit logs', () => {
    template.hasResource('AWS::RedshiftServerless::Namespace', {
      Properties: Match.objectLike({
        NamespaceName: `${config.prefix}-warehouse`,
        DbName: w.databaseName,
        AdminUsername: w.adminUsername,
        ManageAdminPassword: true,
        KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
        AdminPasswordSecretKmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
        LogExports: ['userlog', 'connectionlog', 'useractivitylog'],
        DefaultIamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyRole'), 'Arn'] },
        IamRoles: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyRole'), 'Arn'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^GlueCatalogRole'), 'Arn'] },
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^StreamingIngestionRole'), 'Arn'] },
        ],
      }),
      DeletionPolicy: config.retainData ? 'Retain' : 'Delete',
    });
    expect(json).not.toMatch(/AdminUserPassword/);
  });

  test(`keeps a final snapshot ${config.retainData ? 'when the namespace is deleted' : 'never (data not retained)'}`, () => {
    const [ns] = Object.values(template.findResources('AWS::RedshiftServerless::Namespace')) as Resource[];
    if (config.retainData) {
      expect(ns.Properties.FinalSnapshotName).toBe(`${config.prefix}-warehouse-final`);
      expect(ns.Properties.FinalSnapshotRetentionPeriod).toBe(w.snapshots.finalSnapshotRetentionDays);
    } else {
      expect(ns.Properties.FinalSnapshotName).toBeUndefined();
    }
  });

  test('runs the workgroup in the isolated subnets, not public, enhanced VPC routing, TLS, RPUs from config', () => {
    const subnets = stacks.network.vpc.isolatedSubnets.length;
    template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      WorkgroupName: `${config.prefix}-warehouse`,
      BaseCapacity: w.baseRpu,
      MaxCapacity: w.maxRpu,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      SubnetIds: Array.from({ length: subnets }, (_, i) => ({
        'Fn::ImportValue': Match.stringLikeRegexp(`privateSubnet${i + 1}`),
      })),
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkgroupSecurityGroup'), 'GroupId'] }],
      ConfigParameters: Match.arrayWith([
        { ParameterKey: 'require_ssl', ParameterValue: 'true' },
        { ParameterKey: 'enable_user_activity_logging', ParameterValue: 'true' },
      ]),
    });
    expect(stacks.network.vpc.publicSubnets).toHaveLength(0);
  });

  test('lets only members of its own security group in', () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup')) as Resource[];
    expect(groups).toHaveLength(1);
    expect(groups[0].Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[];
    expect(ingress.map((i) => i.Properties)).toEqual([
      expect.objectContaining({
        FromPort: 5439,
        ToPort: 5439,
        SourceSecurityGroupId: {
          'Fn::GetAtt': [expect.stringMatching(/^WorkgroupSecurityGroup/), 'GroupId'],
        },
      }),
    ]);
  });

  test('COPY role: read-only on curated/ of the curated bucket, its key through S3 only, assumable by Redshift', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const copyRole = Object.entries(roles).find(([id]) => id.startsWith('CopyRole'))![1] as Resource;
    const trust = JSON.stringify(copyRole.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('redshift.amazonaws.com');
    expect(trust).toContain('redshift-serverless.amazonaws.com');
    const statements = statementsOf(template, 'CopyRole');
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'kms:Decrypt',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
    ]);
    const get = statements.find((s) => actionsOf(s).includes('s3:GetObject'));
    expect(JSON.stringify(get?.Resource)).toMatch(/\/curated\/\*"/);
    const list = statements.find((s) => actionsOf(s).includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['curated/*'] } });
    const kms = statements.find((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(JSON.stringify(kms?.Condition)).toContain('kms:ViaService');
    expect(statements.flatMap(actionsOf).some((a) => /Put|Delete|\*/.test(a))).toBe(false);
  });

  test('streaming ingestion role: the five read actions on the orders and inventory streams only', () => {
    const statements = statementsOf(template, 'StreamingIngestionRole');
    const read = statements.find((s) => actionsOf(s).includes('kinesis:GetRecords'));
    expect(actionsOf(read!).sort()).toEqual(
      [
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
      ].sort(),
    );
    const resources = JSON.stringify(read!.Resource);
    expect(resources).toMatch(/Streamorders/);
    expect(resources).toMatch(/Streaminventory/);
    expect(resources).not.toMatch(/clickstream/);
    expect(statements.flatMap(actionsOf).sort()).toEqual([...actionsOf(read!), 'kms:Decrypt'].sort());
  });

  test('Glue catalog role: read-only Get* on the curated database and its tables', () => {
    const statements = statementsOf(template, 'GlueCatalogRole');
    const glue = statements.find((s) => actionsOf(s).some((a) => a.startsWith('glue:')))!;
    expect(actionsOf(glue).every((a) => /^glue:(Get|BatchGet)/.test(a))).toBe(true);
    const db = `${config.prefix.replace(/-/g, '_')}_curated`;
    const resources = JSON.stringify(glue.Resource);
    expect(resources).toContain(`:database/${db}`);
    expect(resources).toContain(`:table/${db}/order_events`);
    expect(resources).not.toContain('_raw');
    expect(resources).not.toContain('/*');
  });

  test(`caps RPU-hours: ${w.usageLimits.map((l) => `${l.period} ${l.rpuHours} ${l.breachAction}`).join(', ')}`, () => {
    const limits = Object.values(
      template.findResources('Custom::RedshiftServerlessUsageLimit'),
    ) as Resource[];
    expect(limits).toHaveLength(w.usageLimits.length);
    for (const limit of w.usageLimits) {
      const create = limits
        .map((l) => JSON.stringify(l.Properties.Create))
        .find((c) => c.includes(`\\"period\\":\\"${limit.period}\\"`));
      expect(create).toBeDefined();
      expect(create).toContain(`\\"amount\\":${limit.rpuHours}`);
      expect(create).toContain(`\\"breachAction\\":\\"${limit.breachAction}\\"`);
      expect(create).toContain('\\"usageType\\":\\"serverless-compute\\"');
    }
  });

  test(`snapshots ${w.snapshots.schedule ? `on ${w.snapshots.schedule}, kept ${w.snapshots.retentionDays} days` : 'only by recovery points'}`, () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as Resource[];
    const snapshot = schedules.filter((s) =>
      JSON.stringify(s.Properties.Target).includes('redshiftserverless:createSnapshot'),
    );
    if (w.snapshots.schedule === undefined) {
      expect(snapshot).toHaveLength(0);
      return;
    }
    expect(snapshot).toHaveLength(1);
    expect(snapshot[0].Properties.ScheduleExpression).toBe(w.snapshots.schedule);
    expect(JSON.stringify(snapshot[0].Properties.Target)).toContain(
      `\\"retentionPeriod\\":${w.snapshots.retentionDays}`,
    );
  });

  test('runs the migrations as a Provider custom resource, re-run when any SQL file changes', () => {
    template.hasResourceProperties('Custom::WarehouseSchemaMigrations', {
      Fingerprint: sqlFingerprint(),
      Database: w.databaseName,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          WORKGROUP_NAME: `${config.prefix}-warehouse`,
          DATABASE: w.databaseName,
          SECRET_ARN: Match.anyValue(),
          // V005's placeholders: streaming ingestion reads these streams with this role.
          STREAMING_ROLE_ARN: Match.anyValue(),
          ORDERS_STREAM: Match.anyValue(),
          INVENTORY_STREAM: Match.anyValue(),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete' });
    // The waiter polls isComplete until the configured timeout.
    template.resourcePropertiesCountIs(
      'AWS::StepFunctions::StateMachine',
      { LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) },
      2,
    );
  });

  test('the migration functions may run statements on this workgroup only, and read the admin secret only', () => {
    const statements = statementsOf(template, 'MigrationsRole');
    const run = statements.find((s) => actionsOf(s).includes('redshift-data:BatchExecuteStatement'))!;
    expect(run.Resource).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Workgroup/), 'Workgroup.WorkgroupArn'],
    });
    const secret = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    expect(actionsOf(secret)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secret.Resource)).toMatch(/AdminSecretLookup/);
    const kms = statements.find((s) => actionsOf(s).includes('kms:Decrypt'))!;
    expect(JSON.stringify(kms.Condition)).toContain('secretsmanager.');
    expect(statements.flatMap(actionsOf)).not.toContain('redshift-data:*');
  });

  test(`starts the loads on ${w.loadSchedule} (UTC) through Step Functions, logged, traced, with a timeout`, () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as Resource[];
    const load = schedules.find((s) => s.Properties.ScheduleExpression === w.loadSchedule)!;
    expect(load.Properties.ScheduleExpressionTimezone).toBe('Etc/UTC');
    expect(JSON.stringify(load.Properties.Target)).toMatch(/LoadStateMachine/);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `${config.prefix}-warehouse-loads`,
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    const [sm] = Object.values(
      template.findResources('AWS::StepFunctions::StateMachine', {
        Properties: { StateMachineName: `${config.prefix}-warehouse-loads` },
      }),
    ) as Resource[];
    const definition = JSON.stringify(sm.Properties.DefinitionString);
    expect(definition).toContain(`\\"TimeoutSeconds\\":${w.loadTimeoutMinutes * 60}`);
    expect(definition).toMatch(/EachLoad.*MaxConcurrency\\":1/);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          COPY_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyRole'), 'Arn'] },
          MAX_PARTITIONS_PER_RUN: '200',
        }),
      },
    });
  });

  test('refreshes every materialized view of the registry after the loads, in order, one at a time', () => {
    const [sm] = Object.values(
      template.findResources('AWS::StepFunctions::StateMachine', {
        Properties: { StateMachineName: `${config.prefix}-warehouse-loads` },
      }),
    ) as Resource[];
    const { StartAt, States } = definitionOf(sm);
    // Loads → EachLoad → MaterializedViews → EachMaterializedView (the end).
    expect(StartAt).toBe('Loads');
    expect(States.Loads.Next).toBe('EachLoad');
    expect(States.EachLoad.Next).toBe('MaterializedViews');
    expect(States.MaterializedViews).toMatchObject({
      Type: 'Pass',
      Result: { materializedViews: [...MATERIALIZED_VIEWS] },
      // Next to the Loads Pass's $.datasets, not in place of it.
      ResultPath: '$.refresh',
      Next: 'EachMaterializedView',
    });
    const each = States.EachMaterializedView;
    expect(each).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 1,
      ItemsPath: '$.refresh.materializedViews',
      ItemSelector: { 'materializedView.$': '$$.Map.Item.Value', 'runId.$': '$$.Execution.Name' },
      ResultPath: null,
      End: true,
    });
    // Each one: refresh (one statement) → wait → poll → RUNNING: wait again, else done.
    const inner = each.ItemProcessor!;
    expect(inner.StartAt).toBe('Refresh');
    expect(inner.States.Refresh.Parameters?.Payload).toEqual({
      action: 'refresh',
      'materializedView.$': '$.materializedView',
      'runId.$': '$.runId',
    });
    expect(inner.States.Refresh.Next).toBe('WaitForRefresh');
    expect(inner.States.WaitForRefresh).toMatchObject({ Type: 'Wait', Seconds: 10, Next: 'PollRefresh' });
    expect(inner.States.PollRefresh.Parameters?.Payload).toEqual({
      action: 'pollRefresh',
      'materializedView.$': '$.materializedView',
      'statementId.$': '$.submitted.value.statementId',
    });
    expect(inner.States.PollRefresh.Next).toBe('RefreshFinished?');
    expect(inner.States['RefreshFinished?']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.poll.value.status', StringEquals: 'RUNNING', Next: 'WaitForRefresh' }],
      Default: 'MaterializedViewRefreshed',
    });
    expect(inner.States.MaterializedViewRefreshed.Type).toBe('Succeed');
    // The load steps are unchanged: one load at a time.
    expect(States.EachLoad.MaxConcurrency).toBe(1);
  });

  test('the loader signs in with the admin secret the migrations use (it refreshes the MVs they create, as their owner)', () => {
    const variables = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[])
      .map(
        (f) => (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      )
      .filter((v): v is Record<string, unknown> => v?.SECRET_ARN !== undefined);
    const loader = variables.filter((v) => v.COPY_ROLE_ARN !== undefined);
    const migrations = variables.filter((v) => v.STREAMING_ROLE_ARN !== undefined);
    expect(loader).toHaveLength(1);
    expect(migrations).toHaveLength(2); // onEvent and isComplete
    expect(JSON.stringify(loader[0].SECRET_ARN)).toMatch(/AdminSecretLookup/);
    for (const m of migrations) expect(m.SECRET_ARN).toEqual(loader[0].SECRET_ARN);
  });

  test('alarms to the platform topic when a load run fails or times out', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Threshold: 1,
        AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmTopic') }],
      });
    }
  });

  test('encrypts every log group with the platform key', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
    });
  });
});

describe('the network for the warehouse', () => {
  test('has a Kinesis Data Streams interface endpoint (streaming ingestion under enhanced VPC routing)', () => {
    const app = testApp();
    const { network } = buildPlatformApp(app, ENVIRONMENTS.dev, { nag: false });
    Template.fromStack(network).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.kinesis-streams']] },
    });
  });
});

describe('cdk-nag', () => {
  test('finds nothing unacknowledged in the prod warehouse stack', () => {
    const app = testApp();
    const { warehouse } = buildPlatformApp(app, ENVIRONMENTS.prod, { nag: false });
    app.synth();
    expect(nagFindings(warehouse)).toEqual([]);
  });
});
