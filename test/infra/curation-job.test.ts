import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CurationJob, CurationJobProps, PlatformKey } from '../../lib/constructs';
import { packagedContractFiles } from '../../lib/stacks/processing-stack';
import { REPO_ROOT, nagFindings, testApp, testStack } from './helpers';

const GLUE_SCRIPTS = path.join(REPO_ROOT, 'glue-scripts');
const SCRIPT = path.join(GLUE_SCRIPTS, 'jobs', 'raw_events_to_curated.py');

function jobStack(stack: Stack, props: Partial<CurationJobProps> = {}): CurationJob {
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' }).key;
  const raw = s3.Bucket.fromBucketName(stack, 'Raw', 'raw-bucket');
  const curated = s3.Bucket.fromBucketName(stack, 'Curated', 'curated-bucket');
  const policy = new iam.ManagedPolicy(stack, 'Lake', {
    statements: [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [raw.arnForObjects('events/x')] }),
    ],
  });
  return new CurationJob(stack, 'Job', {
    jobName: 'ecom-test-raw-events-to-curated',
    scriptPath: SCRIPT,
    libraryRoot: GLUE_SCRIPTS,
    rawBucket: raw,
    curatedBucket: curated,
    lakePolicies: [policy],
    encryptionKey: key,
    catalogTables: { ecom_test_raw: ['orders_events'], ecom_test_curated: ['order_events'] },
    alarmTopic: new sns.Topic(stack, 'Alarms', { masterKey: key }),
    ...props,
  });
}

describe('CurationJob with defaults', () => {
  const stack = testStack();
  jobStack(stack);
  const template = Template.fromStack(stack);

  test('is a Glue 5.0 Python 3 Spark job on two G.1X workers, one run at a time', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Name: 'ecom-test-raw-events-to-curated',
      GlueVersion: '5.0',
      Command: {
        Name: 'glueetl',
        PythonVersion: '3',
        ScriptLocation: { 'Fn::Sub': Match.stringLikeRegexp('^s3://.*\\.py$') },
      },
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      Timeout: 60,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
    });
  });

  test('turns on bookmarks, continuous logging and metrics, and ships the common package', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-metrics': 'true',
        '--extra-py-files': { 'Fn::Sub': Match.stringLikeRegexp('^s3://.*\\.zip$') },
        '--TempDir': 's3://curated-bucket/_state/ecom-test-raw-events-to-curated/tmp/',
        '--custom-logGroup-prefix': '/aws-glue/jobs/ecom-test-raw-events-to-curated',
      }),
    });
  });

  test('writes its logs to two groups of its own, encrypted with the key and kept a month', () => {
    for (const group of ['error', 'output']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws-glue/jobs/ecom-test-raw-events-to-curated/${group}`,
        RetentionInDays: 30,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      });
    }
  });

  test('runs outside any VPC without connections', () => {
    template.hasResourceProperties('AWS::Glue::Job', { Connections: Match.absent() });
  });

  test('encrypts S3 writes, logs and bookmarks with the key', () => {
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      Name: 'ecom-test-raw-events-to-curated-security',
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: keyArn },
      },
    });
    template.hasResourceProperties('AWS::Glue::Job', {
      SecurityConfiguration: { Ref: Match.stringLikeRegexp('SecurityConfiguration') },
    });
  });

  test('has no trigger without a schedule', () => {
    template.resourceCountIs('AWS::Glue::Trigger', 0);
  });

  test('opens the catalog only on its databases and tables, by exact ARN', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: { Sid?: string; Resource: unknown }[] }).Statement,
    );
    const catalog = statements.find((s) => s.Sid === 'CatalogOfTheLakeTables');
    const text = JSON.stringify(catalog?.Resource);
    for (const part of [
      ':catalog"',
      'database/ecom_test_raw',
      'database/ecom_test_curated',
      'table/ecom_test_raw/orders_events',
      'table/ecom_test_curated/order_events',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).not.toContain('*');
  });

  test('reads the script and the library by exact object key, not the whole staging bucket', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadScriptAndLibrary',
            Action: 's3:GetObject',
            Resource: [Match.anyValue(), Match.anyValue()],
          }),
        ]),
      },
    });
  });

  test('notifies the alarm topic of failed, timed-out and errored runs of this job', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: {
          jobName: [{ Ref: Match.stringLikeRegexp('^Job[0-9A-F]{8}$') }],
          state: ['FAILED', 'TIMEOUT', 'ERROR'],
        },
      },
      Targets: [
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Alarms') }, RoleArn: Match.anyValue() }),
      ],
    });
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    const app = testApp();
    const s = new Stack(app, 'NagStack');
    jobStack(s);
    app.synth();
    expect(nagFindings(s).filter((f) => f.includes('/Job/'))).toEqual([]);
  });
});

describe('CurationJob with custom settings', () => {
  const stack = testStack();
  jobStack(stack, {
    workerType: 'G.2X',
    numberOfWorkers: 5,
    timeout: Duration.minutes(45),
    maxRetries: 1,
    schedule: 'cron(15 * * * ? *)',
    arguments: { '--datasets': 'order_events' },
    description: 'Extracts the OLTP tables',
    connections: ['ecom-test-oltp'],
    logRetention: logs.RetentionDays.THREE_MONTHS,
    additionalStatements: [
      new iam.PolicyStatement({
        sid: 'ReadTheSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:x'],
      }),
    ],
  });
  const template = Template.fromStack(stack);

  test('runs in the connections, with its description, and adds the extra statements to its role', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      Description: 'Extracts the OLTP tables',
      Connections: { Connections: ['ecom-test-oltp'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadTheSecret', Action: 'secretsmanager:GetSecretValue' }),
        ]),
      }),
    });
  });

  test('keeps its logs for the retention given', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 2);
  });

  test('sizes the job as configured and passes the arguments', () => {
    template.hasResourceProperties('AWS::Glue::Job', {
      WorkerType: 'G.2X',
      NumberOfWorkers: 5,
      Timeout: 45,
      MaxRetries: 1,
      DefaultArguments: Match.objectLike({ '--datasets': 'order_events' }),
    });
  });

  test('starts the job on the schedule', () => {
    template.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: 'cron(15 * * * ? *)',
      StartOnCreation: true,
      Actions: [{ JobName: { Ref: Match.stringLikeRegexp('^Job[0-9A-F]{8}$') } }],
    });
  });
});

describe('CurationJob validation', () => {
  const make = (props: Partial<CurationJobProps>) => () => jobStack(testStack(), props);
  test('rejects a bad job name', () => expect(make({ jobName: 'a job' })).toThrow(/jobName 'a job'/));
  test('rejects a bad worker type', () =>
    expect(make({ workerType: 'Standard' as never })).toThrow(/workerType 'Standard'/));
  test('rejects too few workers', () => expect(make({ numberOfWorkers: 1 })).toThrow(/numberOfWorkers is 1/));
  test('rejects a timeout out of range', () =>
    expect(make({ timeout: Duration.minutes(3000) })).toThrow(/timeout is 3000 minutes/));
  test('rejects too many retries', () => expect(make({ maxRetries: 11 })).toThrow(/maxRetries is 11/));
  test('rejects a schedule that is not cron', () =>
    expect(make({ schedule: 'rate(1 hour)' })).toThrow(/schedule 'rate\(1 hour\)'/));
  test('rejects no lake policies', () => expect(make({ lakePolicies: [] })).toThrow(/lakePolicies is empty/));
});

describe('CurationJob library zip', () => {
  test('holds the common package and the contract files the job reads, under common/_contracts', () => {
    // Prepare: a stack whose assets are bundled (the library zip is assembled locally, no Docker).
    const app = new App({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
    const stack = new Stack(app, 'LibraryZip');
    jobStack(stack, { packagedContracts: packagedContractFiles() });

    // Act
    const assembly = app.synth();

    // Assess: the bundled folder of the library asset (the one that is not the .py script).
    const assetDirs = fs
      .readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.') && fs.statSync(path.join(assembly.directory, d)).isDirectory());
    const library = assetDirs
      .map((d) => path.join(assembly.directory, d))
      .find((d) => fs.existsSync(path.join(d, 'common')));
    expect(library).toBeDefined();
    const has = (rel: string): boolean => fs.existsSync(path.join(library as string, rel));
    expect({
      schema: has('common/contract_schema.py'),
      datasets: has('common/_contracts/datasets.json'),
      flat: has('common/_contracts/generated/flat/order-event.json'),
      caches: fs.readdirSync(path.join(library as string, 'common')).includes('__pycache__'),
      tests: has('tests'),
    }).toEqual({ schema: true, datasets: true, flat: true, caches: false, tests: false });
  });
});
