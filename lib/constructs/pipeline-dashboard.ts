import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { StreamDefinition } from '../streams/stream-definitions';
import { RUNBOOK, StreamIngestionNames, transformerMetric } from './stream-ingestion';

/** One stream of the {@link PipelineDashboard}: its definition and the physical names of its path. */
export interface PipelineDashboardStream {
  /** The stream's definition from STREAMS. */
  readonly definition: StreamDefinition;
  /** The names its StreamIngestion gave the stream, transformer, queue and delivery stream. */
  readonly names: StreamIngestionNames;
}

/** Properties of a {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  /** Name of the dashboard, for example `ecom-dev-pipeline`. */
  readonly dashboardName: string;
  /** Namespace of the transformers' EMF metrics (batch counts and business metrics). */
  readonly transformerNamespace: string;
  /** The streams, in the order their rows appear. */
  readonly streams: readonly PipelineDashboardStream[];
  /** Physical names of the DynamoDB tables the transformers write (the live tables). */
  readonly liveTables: readonly string[];
  /** Namespace of the lake's run metrics (glue-scripts/common/metrics.py). */
  readonly lakeNamespace: string;
  /** The lake's jobs, by their name in glue-scripts/workflow.json (the `Job` dimension). */
  readonly lakeJobs: readonly string[];
  /** ARN of the warehouse load state machine (the `StateMachineArn` dimension). */
  readonly loadStateMachineArn: string;
  /** The alarms of the platform, shown in the alarm status widget (at most 100). */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** Width of a full dashboard row. */
const ROW = 24;
/** Height of a graph. */
const GRAPH_HEIGHT = 6;

/**
 * The platform's pipeline end to end on one CloudWatch dashboard, top to bottom as data flows:
 *
 * 1. what it is and the status of every alarm;
 * 2. the business view: new orders and EUR revenue a minute, low-stock, out-of-stock and negative
 *    stock events (the transformers' EMF metrics);
 * 3. per stream: records put to Kinesis against what the transformer received, applied, found
 *    duplicate, rejected and failed; iterator age, errors and throttles of the transformer; the
 *    dead-letter queue and the Firehose delivery freshness to the raw zone;
 * 4. the live DynamoDB tables: consumed capacity and throttled requests;
 * 5. the lake's Glue jobs (quality gates stopped, rows quarantined, unreconciled runs);
 * 6. the warehouse loads (Step Functions executions).
 *
 * Every metric is built from physical names and namespaces, never from another stack's tokens, so
 * the dashboard adds no cross-stack export. Metric names and dimensions are those the code
 * publishes: {@link transformerMetric} for the transformers, AWS's own for the services.
 */
export class PipelineDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    if (props.alarms.length > 100) {
      throw new Error(
        `PipelineDashboard ${this.node.path}: ${props.alarms.length} alarms, but an alarm status widget shows at most 100`,
      );
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(...this.overview(props));
    this.dashboard.addWidgets(...this.business(props));
    for (const stream of props.streams) this.dashboard.addWidgets(...this.stream(props, stream));
    this.dashboard.addWidgets(...this.tables(props));
    this.dashboard.addWidgets(...this.lakeAndWarehouse(props));
  }

  /** The title, how to read the dashboard, and the status of every alarm. */
  private overview(props: PipelineDashboardProps): cloudwatch.IWidget[] {
    const streams = props.streams.map((s) => s.definition.id).join(', ');
    return [
      new cloudwatch.TextWidget({
        markdown: [
          `# ${props.dashboardName}`,
          `Streams (${streams}) → transformers → DynamoDB and the raw zone → Glue → Redshift loads.`,
          `Every alarm notifies the alarm topic; what to do for each is in \`${RUNBOOK}\`.`,
          'Transformer counts: received = applied + duplicates + rejected + failed (failed records are retried).',
        ].join('\n\n'),
        width: 8,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.alarms],
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: ROW - 8,
        height: GRAPH_HEIGHT,
      }),
    ];
  }

  /** Orders and revenue a minute; stock events. */
  private business(props: PipelineDashboardProps): cloudwatch.IWidget[] {
    const ns = props.transformerNamespace;
    const widgets: cloudwatch.IWidget[] = [];
    const orders = props.streams.find((s) => s.definition.id === 'orders');
    if (orders) {
      const def = orders.definition;
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Orders and revenue per minute',
          left: [transformerMetric(ns, def, 'orders_created', { label: 'new orders / min' })],
          right: [transformerMetric(ns, def, 'order_revenue', { label: 'revenue EUR / min' })],
          leftYAxis: { min: 0, showUnits: false },
          rightYAxis: { min: 0, showUnits: false },
          width: 12,
          height: GRAPH_HEIGHT,
        }),
      );
    }
    const inventory = props.streams.find((s) => s.definition.id === 'inventory');
    if (inventory) {
      const def = inventory.definition;
      const fiveMinutes = { period: Duration.minutes(5) };
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Stock events per 5 minutes',
          left: [
            transformerMetric(ns, def, 'low_stock_events', { ...fiveMinutes, label: 'below reorder point' }),
            transformerMetric(ns, def, 'out_of_stock_events', { ...fiveMinutes, label: 'out of stock' }),
            transformerMetric(ns, def, 'negative_stock_events', { ...fiveMinutes, label: 'on hand < 0' }),
          ],
          leftYAxis: { min: 0, showUnits: false },
          width: ROW - widgets.length * 12,
          height: GRAPH_HEIGHT,
        }),
      );
    }
    return widgets;
  }

  /** One row per stream: records, lag and failures, dead letters and the raw zone. */
  private stream(props: PipelineDashboardProps, stream: PipelineDashboardStream): cloudwatch.IWidget[] {
    const { definition: def, names } = stream;
    const ns = props.transformerNamespace;
    const minute = Duration.minutes(1);
    const kinesis = (metricName: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kinesis',
        metricName,
        dimensionsMap: { StreamName: names.stream },
        statistic: 'Sum',
        period: minute,
        label,
      });
    const lambda = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: names.transformer },
        statistic,
        period: minute,
        label,
      });
    return [
      new cloudwatch.GraphWidget({
        title: `${def.id}: records per minute`,
        left: [
          kinesis('IncomingRecords', 'put to Kinesis'),
          ...['received', 'applied', 'duplicates', 'rejected', 'failed'].map((m) =>
            transformerMetric(ns, def, m, { label: m }),
          ),
        ],
        right: [kinesis('WriteProvisionedThroughputExceeded', 'puts throttled')],
        leftYAxis: { min: 0, showUnits: false },
        rightYAxis: { min: 0, showUnits: false },
        width: 10,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: `${def.id}: transformer lag and failures`,
        left: [lambda('IteratorAge', 'Maximum', 'iterator age (ms)')],
        right: [lambda('Errors', 'Sum', 'errors'), lambda('Throttles', 'Sum', 'throttles')],
        leftYAxis: { min: 0, showUnits: false },
        rightYAxis: { min: 0, showUnits: false },
        width: 7,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: `${def.id}: dead letters and raw delivery`,
        left: [
          new cloudwatch.Metric({
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensionsMap: { QueueName: names.deadLetterQueue },
            statistic: 'Maximum',
            period: minute,
            label: 'dead-letter queue depth',
          }),
        ],
        right: [
          new cloudwatch.Metric({
            namespace: 'AWS/Firehose',
            metricName: 'DeliveryToS3.DataFreshness',
            dimensionsMap: { DeliveryStreamName: names.rawDelivery },
            statistic: 'Maximum',
            period: Duration.minutes(5),
            label: 'raw delivery freshness (s)',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        rightYAxis: { min: 0, showUnits: false },
        width: 7,
        height: GRAPH_HEIGHT,
      }),
    ];
  }

  /** Consumed capacity and throttles of the live tables. */
  private tables(props: PipelineDashboardProps): cloudwatch.IWidget[] {
    const table = (tableName: string, metricName: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: tableName },
        statistic: 'Sum',
        period: Duration.minutes(1),
        label,
      });
    return [
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed write capacity per minute',
        left: props.liveTables.map((t) => table(t, 'ConsumedWriteCapacityUnits', t)),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed read capacity per minute',
        left: props.liveTables.map((t) => table(t, 'ConsumedReadCapacityUnits', t)),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB throttled reads and writes per minute',
        left: props.liveTables.flatMap((t) => [
          table(t, 'WriteThrottleEvents', `${t} writes`),
          table(t, 'ReadThrottleEvents', `${t} reads`),
        ]),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
    ];
  }

  /** The lake's run metrics per job, and the warehouse load executions. */
  private lakeAndWarehouse(props: PipelineDashboardProps): cloudwatch.IWidget[] {
    const hour = Duration.hours(1);
    const lake = (metricName: string, job: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: props.lakeNamespace,
        metricName,
        dimensionsMap: { Job: job },
        statistic: 'Sum',
        period: hour,
        label: `${job} ${metricName}`,
      });
    const loads = (metricName: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: props.loadStateMachineArn },
        statistic: 'Sum',
        period: hour,
        label,
      });
    return [
      new cloudwatch.GraphWidget({
        title: 'Lake (Glue): quality gates stopped and unreconciled runs per hour',
        left: props.lakeJobs.flatMap((j) => [lake('GateFailures', j), lake('Unreconciled', j)]),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lake (Glue): rows quarantined per hour',
        left: props.lakeJobs.map((j) => lake('QuarantinedRows', j)),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
      new cloudwatch.GraphWidget({
        title: 'Warehouse loads (Step Functions) per hour',
        left: [
          loads('ExecutionsStarted', 'started'),
          loads('ExecutionsSucceeded', 'succeeded'),
          loads('ExecutionsFailed', 'failed'),
          loads('ExecutionsTimedOut', 'timed out'),
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: GRAPH_HEIGHT,
      }),
    ];
  }
}
