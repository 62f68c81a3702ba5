import { ArnFormat, CfnOutput, Duration, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { LAKE_METRICS_NAMESPACE } from '../constructs/curation-job';
import { PipelineDashboard } from '../constructs/pipeline-dashboard';
import { StreamIngestion, runbookLink, transformerMetric } from '../constructs/stream-ingestion';
import { WORKFLOW_JOBS } from '../lake/lake-workflow';
import { STREAM_IDS, STREAMS, StreamId } from '../streams/stream-definitions';
import { tableName } from '../tables/table-definitions';
import { TRANSFORMER_TABLES } from '../../lambdas/shared/runtime-settings';
import { transformerMetricsNamespace } from './ingestion-stack';

/** Properties of the {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  /** The environment's configuration (prefix, `alarms`). */
  readonly config: EnvironmentConfig;
  /** The topic the business alarms notify (the ingestion stack's alarm topic). */
  readonly alarmTopic: sns.ITopic;
  /** The ingestion path of each stream: its physical names and its alarms. */
  readonly ingestion: Readonly<Record<StreamId, StreamIngestion>>;
  /** The alarms of the other stacks (lake runs, warehouse loads) for the alarm status widget. */
  readonly otherAlarms: readonly cloudwatch.Alarm[];
  /** The warehouse load state machine (its executions are on the dashboard). */
  readonly loadStateMachine: sfn.StateMachine;
}

/** The business alarms of the monitoring stack. */
export interface BusinessAlarms {
  /** Fewer new orders a minute than `alarms.minOrdersPerMinute`; absent when that is 0. */
  readonly ordersPerMinuteLow?: cloudwatch.Alarm;
  /** More low-stock events in 5 minutes than `alarms.lowStockEvents`. */
  readonly lowStock: cloudwatch.Alarm;
}

/** The fixed name of an alarm; throws when CloudFormation would generate it. */
function alarmNameOf(alarm: cloudwatch.Alarm): string {
  return fixedName(alarm, (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName, 'alarmName');
}

function fixedName(construct: IConstruct, name: string | undefined, what: string): string {
  if (name === undefined || Token.isUnresolved(name)) {
    throw new Error(
      `MonitoringStack: ${construct.node.path} has no fixed ${what}; the dashboard refers to resources of other stacks by name, so that it adds no cross-stack export`,
    );
  }
  return name;
}

/**
 * The monitoring stack, `<prefix>-monitoring`: the business alarms (new orders a minute below the
 * floor, with a silent stream counting as low; a wave of low-stock events) and the pipeline
 * dashboard `<prefix>-pipeline`, end to end, with the status of every alarm of the platform.
 *
 * It holds no data and refers to the other stacks' resources by their physical names (alarms,
 * functions, queues, streams, tables, the load state machine), never through exports, so it can be
 * changed, deployed or deleted on its own; only the alarm topic's ARN is imported. The alarms that
 * belong to one stream (iterator age, errors, dead letters, delivery freshness, rejection rate)
 * live with that stream in the ingestion stack.
 */
export class MonitoringStack extends Stack {
  /** The pipeline dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** The business alarms. */
  public readonly alarms: BusinessAlarms;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const namespace = transformerMetricsNamespace(config);
    const action = new cwActions.SnsAction(props.alarmTopic);

    this.alarms = this.businessAlarms(config, namespace);
    for (const alarm of Object.values(this.alarms) as cloudwatch.Alarm[]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    const streams = STREAM_IDS.map((streamId) => {
      const ingestion = props.ingestion[streamId];
      if (!ingestion.names) {
        throw new Error(
          `MonitoringStack: ${ingestion.node.path} has no physical names (StreamIngestion namePrefix)`,
        );
      }
      return { definition: STREAMS[streamId], names: ingestion.names };
    });
    const ownAlarms = Object.values(this.alarms) as cloudwatch.Alarm[];
    const streamAlarms = STREAM_IDS.flatMap((s) => Object.values(props.ingestion[s].alarms));
    // The other stacks' alarms are looked up by name: an ARN built here, not an export there.
    const otherAlarms = [...streamAlarms, ...props.otherAlarms].map((alarm) => {
      const name = alarmNameOf(alarm);
      return cloudwatch.Alarm.fromAlarmName(this, `Alarm-${name}`, name);
    });
    const loadStateMachineName = fixedName(
      props.loadStateMachine,
      (props.loadStateMachine.node.defaultChild as sfn.CfnStateMachine).stateMachineName,
      'stateMachineName',
    );

    this.dashboard = new PipelineDashboard(this, 'Pipeline', {
      dashboardName: `${config.prefix}-pipeline`,
      transformerNamespace: namespace,
      streams,
      liveTables: STREAM_IDS.flatMap((s) => TRANSFORMER_TABLES[s].map((t) => tableName(config.prefix, t))),
      lakeNamespace: LAKE_METRICS_NAMESPACE,
      lakeJobs: WORKFLOW_JOBS.map((j) => j.name),
      loadStateMachineArn: this.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: loadStateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      alarms: [...ownAlarms, ...otherAlarms],
    }).dashboard;

    new CfnOutput(this, 'DashboardName', { value: `${config.prefix}-pipeline` });
  }

  /**
   * The alarms on the transformers' business metrics.
   *
   * - Orders per minute low: `orders_created` summed per minute below `minOrdersPerMinute` for
   *   `ordersLowMinutes` minutes in a row. Missing data is breaching: the orders transformer
   *   publishes `orders_created` (0 included) with every batch, so a minute without a data point
   *   means no batch at all: the producers, the stream or the transformer have gone silent.
   * - Low stock: more than `lowStockEvents` low-stock events in 5 minutes. A crossing is counted once
   *   by the movement that makes it (replays and retries count nothing), so the sum is the number
   *   of SKU-warehouse pairs that went low; missing data (no movement) is not breaching.
   */
  private businessAlarms(config: EnvironmentConfig, namespace: string): BusinessAlarms {
    const a = config.alarms;
    const ordersPerMinuteLow =
      a.minOrdersPerMinute > 0
        ? new cloudwatch.Alarm(this, 'OrdersPerMinuteLow', {
            alarmName: `${config.prefix}-orders-per-minute-low`,
            alarmDescription: `Fewer than ${a.minOrdersPerMinute} new orders a minute for ${a.ordersLowMinutes} minutes in a row; a minute without data counts as low, so a silent orders stream or transformer fires it too. ${runbookLink('orders-per-minute-low')}`,
            metric: transformerMetric(namespace, STREAMS.orders, 'orders_created', {
              period: Duration.minutes(1),
            }),
            threshold: a.minOrdersPerMinute,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluationPeriods: a.ordersLowMinutes,
            datapointsToAlarm: a.ordersLowMinutes,
            treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          })
        : undefined;
    const lowStock = new cloudwatch.Alarm(this, 'LowStock', {
      alarmName: `${config.prefix}-inventory-low-stock`,
      alarmDescription: `More than ${a.lowStockEvents} SKU-warehouse stock levels fell below their reorder point in 5 minutes. ${runbookLink('low-stock')}`,
      metric: transformerMetric(namespace, STREAMS.inventory, 'low_stock_events', {
        period: Duration.minutes(5),
      }),
      threshold: a.lowStockEvents,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { ...(ordersPerMinuteLow ? { ordersPerMinuteLow } : {}), lowStock };
  }
}
