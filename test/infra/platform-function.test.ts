import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PlatformFunction, PlatformKey } from '../../lib/constructs';
import { FIXTURE_ENTRY, nagFindings, testApp, testStack } from './helpers';

describe('PlatformFunction with defaults', () => {
  const stack = testStack();
  new PlatformFunction(stack, 'Fn', { entry: FIXTURE_ENTRY, serviceName: 'echo' });
  const template = Template.fromStack(stack);

  test('runs Node.js 24 on ARM64 with active tracing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
    });
  });

  test('logs JSON at INFO into its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
        LogGroup: { Ref: Match.stringLikeRegexp('FnLogGroup') },
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
  });

  test('sets the Powertools settings and source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'echo',
          POWERTOOLS_METRICS_NAMESPACE: 'EcommerceDataPlatform',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  test('has a role without managed policies that writes only to its log group (and X-Ray)', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FnLogGroup'), 'Arn'] },
          },
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      },
    });
  });

  test('has no unacknowledged cdk-nag findings (the X-Ray wildcard is acknowledged)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PlatformFunction with custom settings', () => {
  const stack = testStack();
  const key = new PlatformKey(stack, 'Key', { aliasName: 'test' });
  new PlatformFunction(stack, 'Fn', {
    entry: FIXTURE_ENTRY,
    serviceName: 'echo',
    functionName: 'ecom-test-echo',
    description: 'Echoes',
    memorySize: 1024,
    timeout: Duration.minutes(2),
    logLevel: 'DEBUG',
    metricsNamespace: 'Custom/Namespace',
    logRetention: logs.RetentionDays.THREE_MONTHS,
    logEncryptionKey: key.key,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    reservedConcurrentExecutions: 4,
    environment: { TABLE_ORDERS: 'orders' },
  });
  const template = Template.fromStack(stack);

  test('takes the sizes, name, level and reservation', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'ecom-test-echo',
      Description: 'Echoes',
      MemorySize: 1024,
      Timeout: 120,
      ReservedConcurrentExecutions: 4,
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
      Environment: {
        Variables: Match.objectLike({
          TABLE_ORDERS: 'orders',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          POWERTOOLS_METRICS_NAMESPACE: 'Custom/Namespace',
        }),
      },
    });
  });

  test('names, encrypts and keeps its log group as told', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/lambda/ecom-test-echo',
        RetentionInDays: 90,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] },
      },
      DeletionPolicy: 'Delete',
    });
  });
});

describe('PlatformFunction bundling', () => {
  test('bundles locally with esbuild into a minified index.js with a source map', () => {
    const app = testApp({ bundle: true });
    const stack = new Stack(app, 'Bundled');
    new PlatformFunction(stack, 'Fn', { entry: FIXTURE_ENTRY, serviceName: 'echo' });
    const assembly = app.synth();
    const assetDirs = fs
      .readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(assembly.directory, d));
    expect(assetDirs).toHaveLength(1);
    const files = fs.readdirSync(assetDirs[0]).sort();
    expect(files).toEqual(['index.js', 'index.js.map']);
    const code = fs.readFileSync(path.join(assetDirs[0], 'index.js'), 'utf8');
    expect(code.split('\n').length).toBeLessThan(5); // minified
    expect(code).toContain('sourceMappingURL=index.js.map');
  });
});

describe('PlatformFunction validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof PlatformFunction>[2]>) => () =>
    new PlatformFunction(testStack(), 'Fn', { entry: FIXTURE_ENTRY, serviceName: 'echo', ...props });

  test('rejects memory outside 128 to 10240 MiB', () => {
    expect(make({ memorySize: 64 })).toThrow(/memorySize is 64, expected an integer from 128 to 10240/);
  });

  test('rejects a timeout outside 1 to 900 s', () => {
    expect(make({ timeout: Duration.minutes(20) })).toThrow(/timeout is 1200 s, expected 1 to 900 s/);
  });

  test('rejects a missing entry file', () => {
    expect(make({ entry: 'lambdas/nope/handler.ts' })).toThrow(
      /entry 'lambdas\/nope\/handler.ts' is not an existing .ts file/,
    );
  });

  test('rejects a bad service name', () => {
    expect(make({ serviceName: 'my service' })).toThrow(/serviceName 'my service' must match/);
  });

  test('rejects a negative reservation', () => {
    expect(make({ reservedConcurrentExecutions: -1 })).toThrow(/reservedConcurrentExecutions is -1/);
  });

  test('rejects Powertools variables in the environment', () => {
    expect(make({ environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } })).toThrow(
      /environment sets POWERTOOLS_LOG_LEVEL; use serviceName, metricsNamespace and logLevel instead/,
    );
  });
});
