/**
 * The processing and network stacks of every environment: the lake's Glue workflow built from
 * glue-scripts/workflow.json (jobs, scheduled and conditional triggers), the JDBC connection to the
 * OLTP database in the private VPC, each job's security configuration, role and failure alarm.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../lib/config/environments';
import { WORKFLOW_JOBS, glueJobName, orderedJobs } from '../../lib/lake/lake-workflow';
import { buildPlatformApp } from '../../lib/platform-app';
import { DOCUMENT_TABLE_IDS, tableName } from '../../lib/tables/table-definitions';
import { testApp } from './helpers';

/** Every statement of the policies attached to the role of a job, as text. */
function roleText(template: Template, jobName: string): string {
  const jobs = template.findResources('AWS::Glue::Job', { Properties: { Name: jobName } });
  const [job] = Object.values(jobs) as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }[];
  const roleId = job.Properties.Role['Fn::GetAtt'][0];
  const role = template.findResources('AWS::IAM::Role')[roleId];
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return JSON.stringify({ role, policies });
}

describe.each(['dev', 'staging', 'prod'] as EnvironmentName[])('the %s processing stack', (name) => {
  const config = ENVIRONMENTS[name];
  const app = testApp();
  const { processing, storage, network } = buildPlatformApp(app, loadEnvironmentConfig(name), { nag: false });
  const template = Template.fromStack(processing);
  const jobName = (job: string) => glueJobName(config.prefix, job);

  test('has one Glue job per workflow job, sized and retried from config.glue', () => {
    template.resourceCountIs('AWS::Glue::Job', WORKFLOW_JOBS.length);
    for (const job of WORKFLOW_JOBS) {
      template.hasResourceProperties('AWS::Glue::Job', {
        Name: jobName(job.name),
        Description: job.description,
        GlueVersion: '5.0',
        WorkerType: config.glue.workerType,
        NumberOfWorkers: config.glue.numberOfWorkers,
        Timeout: config.glue.timeoutMinutes,
        MaxRetries: config.glue.maxRetries,
        Command: Match.objectLike({ ScriptLocation: Match.anyValue() }),
        DefaultArguments: Match.objectLike({
          '--raw-root': Match.anyValue(),
          '--curated-root': Match.anyValue(),
        }),
      });
    }
  });

  test('passes each job the arguments it runs with on AWS', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: jobName('raw_events_to_curated'),
      DefaultArguments: Match.objectLike({
        '--bookmarks': 'glue',
        '--datasets':
          'order_events,product_metadata_events,inventory_movements,clickstream_interactions,review_events,application_log_events',
      }),
    });
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: jobName('dynamodb_documents_to_curated'),
      DefaultArguments: Match.objectLike({ '--export-mode': 'start', '--table-prefix': config.prefix }),
    });
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: jobName('oltp_to_curated'),
      DefaultArguments: Match.objectLike({
        '--connection-name': { Ref: Match.stringLikeRegexp('^OltpConnection') },
      }),
      Connections: { Connections: [{ Ref: Match.stringLikeRegexp('^OltpConnection') }] },
    });
  });

  test('starts the jobs without upstream jobs on the configured schedule, in one workflow', () => {
    template.resourceCountIs('AWS::Glue::Workflow', 1);
    template.hasResourceProperties('AWS::Glue::Workflow', {
      Name: `${config.prefix}-lake`,
      MaxConcurrentRuns: 1,
    });
    const roots = WORKFLOW_JOBS.filter((j) => j.after.length === 0);
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: config.glue.schedule,
      StartOnCreation: true,
      WorkflowName: { Ref: Match.stringLikeRegexp('^Workflow') },
      Actions: roots.map(() => ({ JobName: { Ref: Match.anyValue() } })),
    });
    template.resourcePropertiesCountIs('AWS::Glue::Trigger', { Type: 'SCHEDULED' }, 1);
  });

  test('starts every other job when all its upstream jobs succeeded', () => {
    const downstream = WORKFLOW_JOBS.filter((j) => j.after.length > 0);
    expect(downstream.length).toBeGreaterThan(0);
    template.resourcePropertiesCountIs('AWS::Glue::Trigger', { Type: 'CONDITIONAL' }, downstream.length);
    for (const job of downstream) {
      template.hasResourceProperties('AWS::Glue::Trigger', {
        Name: `${jobName(job.name)}-after-upstream`,
        Type: 'CONDITIONAL',
        StartOnCreation: true,
        Predicate: {
          Logical: 'AND',
          Conditions: job.after.map(() => ({
            LogicalOperator: 'EQUALS',
            State: 'SUCCEEDED',
            JobName: { Ref: Match.anyValue() },
          })),
        },
      });
    }
  });

  test('reaches the OLTP database through a JDBC connection in a private subnet, TLS enforced, credentials from Secrets Manager', () => {
    template.hasResourceProperties('AWS::Glue::Connection', {
      ConnectionInput: {
        Name: `${config.prefix}-oltp`,
        ConnectionType: 'JDBC',
        ConnectionProperties: {
          JDBC_CONNECTION_URL: config.oltp.jdbcUrl,
          JDBC_ENFORCE_SSL: 'true',
          SECRET_ID: Match.anyValue(),
        },
        PhysicalConnectionRequirements: Match.objectLike({
          SubnetId: { 'Fn::ImportValue': Match.stringLikeRegexp('privateSubnet1') },
          SecurityGroupIdList: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^OltpConnectionSecurityGroup'), 'GroupId'] },
          ],
        }),
      },
    });
    // Glue's workers reach each other through the self-reference and nothing else gets in.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 0,
      ToPort: 65535,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^OltpConnectionSecurityGroup'), 'GroupId'],
      },
    });
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    expect(JSON.stringify(groups)).not.toContain('0.0.0.0/0"}],"SecurityGroupIngress');
  });

  test('gives every job a security configuration that encrypts S3 writes, logs and bookmarks', () => {
    template.resourceCountIs('AWS::Glue::SecurityConfiguration', WORKFLOW_JOBS.length);
    template.allResourcesProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: Match.anyValue() }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: Match.anyValue() },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: Match.anyValue() },
      },
    });
  });

  test('keeps each job’s logs for retention.logDays, encrypted', () => {
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: config.retention.logDays, KmsKeyId: Match.anyValue() },
      WORKFLOW_JOBS.length * 2,
    );
  });

  test('opens to each job only the lake prefixes it uses', () => {
    const expected: Record<string, string[]> = {
      oltp_to_curated: ['OltpExtractWriter', 'CuratedWriter'],
      dynamodb_documents_to_curated: ['DocumentExportWriter', 'CuratedWriter'],
      raw_events_to_curated: ['RawEventsReader', 'CuratedWriter'],
      third_party_files_to_curated: ['ThirdPartyReader', 'CuratedWriter'],
    };
    for (const job of WORKFLOW_JOBS) {
      template.hasResourceProperties('AWS::IAM::Role', {
        Description: `Runs the Glue job ${jobName(job.name)}`,
        ManagedPolicyArns: expected[job.name].map((p) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(p) })),
      });
    }
  });

  test('lets only the OLTP job read the credentials and place network interfaces, and only the documents job export tables', () => {
    const oltp = roleText(template, jobName('oltp_to_curated'));
    expect(oltp).toContain('secretsmanager:GetSecretValue');
    expect(oltp).toContain('ec2:CreateNetworkInterface');
    expect(oltp).not.toContain('dynamodb:');
    const documents = roleText(template, jobName('dynamodb_documents_to_curated'));
    expect(documents).toContain('dynamodb:ExportTableToPointInTime');
    for (const id of DOCUMENT_TABLE_IDS) expect(documents).toContain(`table/${tableName(config.prefix, id)}`);
    expect(documents).not.toContain(`table/${tableName(config.prefix, 'orders')}`);
    expect(documents).not.toContain('secretsmanager:');
    for (const job of ['raw_events_to_curated', 'third_party_files_to_curated']) {
      const text = roleText(template, jobName(job));
      expect(text).not.toContain('secretsmanager:');
      expect(text).not.toContain('dynamodb:');
      expect(text).not.toContain('ec2:');
    }
  });

  test('notifies the alarm topic when any job fails, times out or errors', () => {
    for (const job of WORKFLOW_JOBS) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.glue'],
          'detail-type': ['Glue Job State Change'],
          detail: { jobName: [{ Ref: Match.anyValue() }], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
        },
      });
      expect(job.name).toBeTruthy();
    }
    template.resourceCountIs('AWS::Events::Rule', WORKFLOW_JOBS.length);
  });

  test('alarms when a quality gate stops a partition or a run does not reconcile, for every job', () => {
    for (const job of WORKFLOW_JOBS) {
      for (const metric of ['GateFailures', 'Unreconciled']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `${jobName(job.name)}-${metric.toLowerCase()}`,
          Namespace: 'EcommerceDataPlatform/Lake',
          MetricName: metric,
          Dimensions: [{ Name: 'Job', Value: job.name }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [Match.anyValue()],
        });
      }
      template.hasResourceProperties('AWS::Glue::Job', {
        Name: jobName(job.name),
        DefaultArguments: Match.objectLike({ '--metrics-namespace': 'EcommerceDataPlatform/Lake' }),
      });
    }
  });

  test('stores the OLTP credentials encrypted with the platform key, with the lake prefix policies', () => {
    const storageTemplate = Template.fromStack(storage);
    storageTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `${config.prefix}/oltp/extract-credentials`,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformKey'), 'Arn'] },
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
    });
    const text = JSON.stringify(
      storageTemplate.findResources('AWS::IAM::ManagedPolicy', {
        Properties: {
          Description: Match.stringLikeRegexp('OLTP extraction|documents job|third-party files job'),
        },
      }),
    );
    for (const prefix of ['/oltp/*', '/dynamodb/*', '/third-party/*']) expect(text).toContain(prefix);
    expect(text).not.toContain('/events/*');
  });

  test('builds a VPC with isolated subnets only, endpoints for what the jobs call, and flow logs', () => {
    const net = Template.fromStack(network);
    net.resourceCountIs('AWS::EC2::VPC', 1);
    net.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.network.cidr });
    net.resourceCountIs('AWS::EC2::InternetGateway', 0);
    net.resourceCountIs('AWS::EC2::NatGateway', 0);
    // An environment-agnostic stack knows two zones; with an account and region it gets maxAzs.
    net.resourceCountIs(
      'AWS::EC2::Subnet',
      Math.min(config.network.maxAzs, network.availabilityZones.length),
    );
    net.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    net.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    const endpoints = JSON.stringify(net.findResources('AWS::EC2::VPCEndpoint'));
    for (const service of ['.s3', '.dynamodb', '.glue', '.secretsmanager', '.kms', '.logs', '.monitoring']) {
      expect(endpoints).toContain(service);
    }
  });
});

describe('the workflow definition', () => {
  test('orders the repository workflow with the OLTP dimensions before the events and files', () => {
    const names = WORKFLOW_JOBS.map((j) => j.name);
    expect(names.indexOf('oltp_to_curated')).toBeLessThan(names.indexOf('raw_events_to_curated'));
    expect(names.indexOf('oltp_to_curated')).toBeLessThan(names.indexOf('third_party_files_to_curated'));
  });

  test('refuses an unknown upstream job, a duplicate, a bad name and a cycle, naming them', () => {
    const job = (name: string, after: string[] = []) => ({
      name,
      script: `jobs/${name}.py`,
      description: '',
      after,
    });
    expect(() => orderedJobs([job('a', ['zz'])])).toThrow(/'a' runs after 'zz', which is not a job/);
    expect(() => orderedJobs([job('a'), job('a')])).toThrow(/'a' is listed twice/);
    expect(() => orderedJobs([job('Bad-Name')])).toThrow(/must be snake_case/);
    expect(() => orderedJobs([job('a', ['b']), job('b', ['a'])])).toThrow(/a, b wait on each other/);
  });

  test('keeps the file order where dependencies allow', () => {
    const job = (name: string, after: string[] = []) => ({ name, script: '', description: '', after });
    expect(orderedJobs([job('x', ['y']), job('y'), job('z')]).map((j) => j.name)).toEqual(['y', 'x', 'z']);
  });
});
