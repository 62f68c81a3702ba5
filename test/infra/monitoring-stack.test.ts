import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../lib/config/environments';
import { PlatformStacks, buildPlatformApp } from '../../lib/platform-app';
import { STREAM_IDS, STREAMS } from '../../lib/streams/stream-definitions';
import { tableName } from '../../lib/tables/table-definitions';
import { TRANSFORMER_TABLES } from '../../lambdas/shared/runtime-settings';
import { nagFindings, testApp } from './helpers';

interface Built {
  readonly app: App;
  readonly stacks: PlatformStacks;
  readonly monitoring: Template;
}

const built = new Map<EnvironmentName, Built>();

/** The app of an environment (no bundling), synthesized once per environment with cdk-nag on. */
function platform(name: EnvironmentName): Built {
  let b = built.get(name);
  if (!b) {
    const app = testApp();
    const stacks = buildPlatformApp(app, loadEnvironmentConfig(name));
    app.synth();
    b = { app, stacks, monitoring: Template.fromStack(stacks.monitoring) };
    built.set(name, b);
  }
  return b;
}

type Json = Record<string, unknown>;

/**
 * The dashboard body as an object: its Fn::Join parts joined, an alarm of this stack (Fn::GetAtt)
 * replaced by `<alarm:LogicalId>` and every other token (region, account) by `<token>`.
 */
function dashboardBody(template: Template): Json {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0].Properties as Json).DashboardBody as unknown;
  const text =
    typeof body === 'string'
      ? body
      : ((body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] as unknown[])
          .map((part) => {
            if (typeof part === 'string') return part;
            const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
            return getAtt ? `<alarm:${getAtt[0]}>` : '<token>';
          })
          .join('');
  return JSON.parse(text) as Json;
}

/** The widgets of a dashboard body. */
function widgets(body: Json): Json[] {
  return body.widgets as Json[];
}

/** The metric arrays of a graph widget (`[namespace, name, dimName, dimValue, ..., options]`). */
function metricsOf(widget: Json): unknown[][] {
  return (((widget.properties as Json).metrics as unknown[][] | undefined) ?? []).map((m) => m);
}

/** Every metric of the dashboard as `namespace|name|dim=value,...`. */
function metricKeys(body: Json): string[] {
  return widgets(body).flatMap((w) =>
    metricsOf(w).map((m) => {
      const parts = m.filter((p) => typeof p === 'string') as string[];
      const [namespace, name, ...dims] = parts;
      const pairs: string[] = [];
      for (let i = 0; i + 1 < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
      return `${namespace}|${name}|${pairs.join(',')}`;
    }),
  );
}

/** The physical names of a resource type's property across a template. */
function namesOf(template: Template, type: string, property: string): string[] {
  return Object.values(template.findResources(type))
    .map((r) => (r.Properties as Json)[property])
    .filter((v): v is string => typeof v === 'string');
}

describe.each(['dev', 'staging', 'prod'] as EnvironmentName[])('the %s monitoring stack', (name) => {
  const config = ENVIRONMENTS[name];
  const namespace = `EcommerceDataPlatform/${config.name}`;
  let b: Built;
  beforeAll(() => {
    b = platform(name);
  });

  test('is <prefix>-monitoring, deployed after ingestion, processing and warehouse', () => {
    const m = b.stacks.monitoring;
    expect(m.stackName).toBe(`${config.prefix}-monitoring`);
    expect(m.dependencies).toEqual(
      expect.arrayContaining([b.stacks.ingestion, b.stacks.processing, b.stacks.warehouse]),
    );
  });

  test('imports nothing from the other stacks but the alarm topic', () => {
    const imports = JSON.stringify(b.monitoring.toJSON()).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
    expect(imports.length).toBeGreaterThan(0);
    expect(new Set(imports).size).toBe(1);
    expect(imports[0]).toMatch(/AlarmTopic/);
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(b.stacks.monitoring)).toEqual([]);
  });

  if (config.alarms.minOrdersPerMinute > 0) {
    test('alarms when new orders a minute stay below the floor, treating a silent stream as low', () => {
      b.monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${config.prefix}-orders-per-minute-low`,
        AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#orders-per-minute-low$'),
        Namespace: namespace,
        MetricName: 'orders_created',
        Dimensions: Match.arrayWith([
          { Name: 'service', Value: STREAMS.orders.transformer },
          { Name: 'stream', Value: 'orders' },
        ]),
        Statistic: 'Sum',
        Period: 60,
        Threshold: config.alarms.minOrdersPerMinute,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: config.alarms.ordersLowMinutes,
        DatapointsToAlarm: config.alarms.ordersLowMinutes,
        TreatMissingData: 'breaching',
        AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmTopic') }],
        OKActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmTopic') }],
      });
    });
  } else {
    test('creates no orders-per-minute alarm when the floor is 0', () => {
      expect(b.stacks.monitoring.alarms.ordersPerMinuteLow).toBeUndefined();
      b.monitoring.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'orders_created' }, 0);
    });
  }

  test('alarms on more low-stock events in 5 minutes than the config allows, notifying the topic', () => {
    b.monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${config.prefix}-inventory-low-stock`,
      AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#low-stock$'),
      Namespace: namespace,
      MetricName: 'low_stock_events',
      Dimensions: Match.arrayWith([
        { Name: 'service', Value: STREAMS.inventory.transformer },
        { Name: 'stream', Value: 'inventory' },
      ]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: config.alarms.lowStockEvents,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmTopic') }],
    });
  });

  test('has one dashboard, <prefix>-pipeline', () => {
    b.monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    b.monitoring.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `${config.prefix}-pipeline`,
    });
  });

  test('the dashboard shows every stream end to end, with the metrics the code publishes', () => {
    const keys = metricKeys(dashboardBody(b.monitoring));
    for (const id of STREAM_IDS) {
      const def = STREAMS[id];
      const emf = `service=${def.transformer},stream=${id}`;
      expect(keys).toEqual(
        expect.arrayContaining([
          `AWS/Kinesis|IncomingRecords|StreamName=${config.prefix}-${id}`,
          `AWS/Kinesis|WriteProvisionedThroughputExceeded|StreamName=${config.prefix}-${id}`,
          ...['received', 'applied', 'duplicates', 'rejected', 'failed'].map(
            (m) => `${namespace}|${m}|${emf}`,
          ),
          `AWS/Lambda|IteratorAge|FunctionName=${config.prefix}-${def.transformer}`,
          `AWS/Lambda|Errors|FunctionName=${config.prefix}-${def.transformer}`,
          `AWS/Lambda|Throttles|FunctionName=${config.prefix}-${def.transformer}`,
          `AWS/SQS|ApproximateNumberOfMessagesVisible|QueueName=${config.prefix}-${def.transformer}-dlq`,
          `AWS/Firehose|DeliveryToS3.DataFreshness|DeliveryStreamName=${config.prefix}-${id}-raw`,
        ]),
      );
      for (const table of TRANSFORMER_TABLES[id]) {
        const t = tableName(config.prefix, table);
        expect(keys).toEqual(
          expect.arrayContaining([
            `AWS/DynamoDB|ConsumedWriteCapacityUnits|TableName=${t}`,
            `AWS/DynamoDB|ConsumedReadCapacityUnits|TableName=${t}`,
            `AWS/DynamoDB|WriteThrottleEvents|TableName=${t}`,
            `AWS/DynamoDB|ReadThrottleEvents|TableName=${t}`,
          ]),
        );
      }
    }
    expect(keys).toEqual(
      expect.arrayContaining([
        `${namespace}|orders_created|service=orders-transformer,stream=orders`,
        `${namespace}|order_revenue|service=orders-transformer,stream=orders`,
        `${namespace}|low_stock_events|service=inventory-transformer,stream=inventory`,
        `${namespace}|out_of_stock_events|service=inventory-transformer,stream=inventory`,
        `${namespace}|negative_stock_events|service=inventory-transformer,stream=inventory`,
        'EcommerceDataPlatform/Lake|GateFailures|Job=raw_events_to_curated',
        'EcommerceDataPlatform/Lake|Unreconciled|Job=raw_events_to_curated',
        'EcommerceDataPlatform/Lake|QuarantinedRows|Job=raw_events_to_curated',
        expect.stringMatching(
          new RegExp(
            `^AWS/States\\|ExecutionsFailed\\|StateMachineArn=.*:stateMachine:${config.prefix}-warehouse-loads$`,
          ),
        ),
        expect.stringMatching(/^AWS\/States\|ExecutionsTimedOut\|/),
      ]),
    );
  });

  test('the names on the dashboard are the physical names the other stacks create', () => {
    const keys = metricKeys(dashboardBody(b.monitoring)).join('\n');
    const ingestion = Template.fromStack(b.stacks.ingestion);
    const named: [Stack, string, string][] = [
      [b.stacks.ingestion, 'AWS::Kinesis::Stream', 'Name'],
      [b.stacks.ingestion, 'AWS::SQS::Queue', 'QueueName'],
      [b.stacks.ingestion, 'AWS::KinesisFirehose::DeliveryStream', 'DeliveryStreamName'],
      [b.stacks.storage, 'AWS::DynamoDB::Table', 'TableName'],
      [b.stacks.warehouse, 'AWS::StepFunctions::StateMachine', 'StateMachineName'],
    ];
    for (const [stack, type, property] of named) {
      const names = namesOf(Template.fromStack(stack), type, property);
      expect(names.length).toBeGreaterThan(0);
      // Only the tables the transformers write are shown; every other named resource is.
      const shown = type === 'AWS::DynamoDB::Table' ? names.filter((n) => keys.includes(`=${n}`)) : names;
      expect(shown.length).toBeGreaterThan(0);
      for (const n of shown) expect(keys).toMatch(new RegExp(`[=:]${n}(\\||,|$)`, 'm'));
    }
    const transformers = namesOf(ingestion, 'AWS::Lambda::Function', 'FunctionName').filter((n) =>
      n.endsWith('-transformer'),
    );
    expect(transformers).toHaveLength(STREAM_IDS.length);
    for (const n of transformers) expect(keys).toContain(`FunctionName=${n}`);
  });

  test('the alarm status widget shows every alarm of the app', () => {
    const body = dashboardBody(b.monitoring);
    const widget = widgets(body).find((w) => w.type === 'alarm');
    expect(widget).toBeDefined();
    const shown = (widget!.properties as Json).alarms as string[];
    // This stack's alarms by reference, the other stacks' by an ARN built from their fixed names.
    const own = Object.keys(b.monitoring.findResources('AWS::CloudWatch::Alarm'));
    expect(own.length).toBe(config.alarms.minOrdersPerMinute > 0 ? 2 : 1);
    for (const id of own) expect(shown).toContain(`<alarm:${id}>`);
    const others = [b.stacks.ingestion, b.stacks.processing, b.stacks.warehouse, b.stacks.api].map((s) =>
      Template.fromStack(s).findResources('AWS::CloudWatch::Alarm'),
    );
    const otherNames = others.flatMap((alarms) =>
      Object.values(alarms).map((a) => (a.Properties as Json).AlarmName),
    );
    expect(otherNames.length).toBeGreaterThan(STREAM_IDS.length * 5 - 1);
    for (const n of otherNames) {
      expect(typeof n).toBe('string');
      expect(shown).toContain(`arn:<token>:cloudwatch:<token>:<token>:alarm:${String(n)}`);
    }
    expect(shown).toHaveLength(own.length + otherNames.length);
  });
});

describe('the EMF dimensions the alarms and the dashboard name', () => {
  test('service is the transformer service name the Lambda runtime gives Powertools Metrics', () => {
    // lambdas/shared/lambda-runtime.ts: serviceName = `${stream}-transformer`.
    for (const id of STREAM_IDS) expect(STREAMS[id].transformer).toBe(`${id}-transformer`);
  });
});
