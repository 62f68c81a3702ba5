import * as path from 'node:path';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/environment-config';
import { PlatformFunction } from '../constructs';
import {
  API_CONTRACT_PATH,
  GatewayAuthorization,
  gatewayDefinition,
  loadApiContract,
} from '../constructs/api-definition';
import { runbookLink } from '../constructs/stream-ingestion';
import { TABLES } from '../tables/table-definitions';
import { LAMBDAS_ROOT, transformerMetricsNamespace } from './ingestion-stack';

/**
 * The stage of the API. The contract's paths carry the version (`/v1/...`), so the stage is not a
 * version; and the environment is already in the API's name and host. One stage, named the same in
 * every environment, so that a URL differs between environments by its host only.
 */
export const API_STAGE_NAME = 'live';

/** The database role the handler works as: Redshift maps the role's principal tag to it (sql V006). */
export const API_DATABASE_ROLE = 'api_reader';

/** The stock table's index the handler queries (SKUs below their reorder point, by warehouse). */
export const STOCK_HEADROOM_INDEX = 'by-warehouse-headroom';

/** The usage plan of the platform's own callers (dashboards, tools); partners have their own. */
export const INTERNAL_PLAN = 'internal';

/**
 * The access log line, one JSON object per request: who called (IAM caller and user ARN, Cognito
 * subject, API key, source IP), what (method, path, the contract's resource path), the answer
 * (status, error type, bytes) and the time it took (total and the handler's). Fields that may be
 * empty or `-` are strings.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  cognitoSubject: '$context.authorizer.claims.sub',
  apiKeyId: '$context.identity.apiKeyId',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  errorType: '$context.error.responseType',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  wafResponseCode: '$context.wafResponseCode',
  xrayTraceId: '$context.xrayTraceId',
};

/** The warehouse the handler queries through the Data API. */
export interface ApiWarehouseTarget {
  /** The workgroup's name (WORKGROUP_NAME). */
  readonly workgroupName: string;
  /** The workgroup's ARN (ExecuteStatement and GetCredentials are allowed on it only). */
  readonly workgroupArn: string;
  /** The database (DATABASE). */
  readonly database: string;
}

/** Properties of the {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  /** The environment's configuration (the `api` section). */
  readonly config: EnvironmentConfig;
  /** The platform key: logs, the page token secret; the tables are encrypted with it. */
  readonly key: kms.IKey;
  /** The live tables the handler reads: orders (GetItem) and stock (Query, and its headroom index). */
  readonly tables: { readonly orders: dynamodb.ITable; readonly stock: dynamodb.ITable };
  /** The warehouse the analytics operations query. */
  readonly warehouse: ApiWarehouseTarget;
  /** The topic the API's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Folder of the Lambda handlers.
   *
   * @default LAMBDAS_ROOT (the repository's lambdas/ folder)
   */
  readonly lambdasRoot?: string;
  /**
   * The contract the API is built from.
   *
   * @default API_CONTRACT_PATH (api/openapi.yaml)
   */
  readonly contractPath?: string;
}

/** The alarms of the API stack. */
export interface ApiAlarms {
  /** 5XX answers above `api.alarms.serverErrorRatePercent` of the requests of 5 minutes. */
  readonly serverErrorRate: cloudwatch.Alarm;
  /** p99 latency above `api.alarms.p99LatencyMs` for 15 minutes. */
  readonly latencyP99: cloudwatch.Alarm;
  /** More requests blocked by the WAF in 5 minutes than `api.alarms.wafBlockedRequests`; absent when 0. */
  readonly wafBlocked?: cloudwatch.Alarm;
}

/**
 * The API stack, `<prefix>-api`: the REST API for analytics and operational lookups, built from
 * its contract (api/openapi.yaml) as an API Gateway REST API (regional, one stage), every operation
 * a proxy integration of one Lambda handler, which runs the allow-listed named queries on the
 * warehouse through the Data API (parameters bound) and reads the live orders and stock tables.
 *
 * - Authentication: IAM (SigV4) by default, or a Cognito user pool (`api.authorizer`). Every
 *   operation also requires an API key: the key is not an identity, it picks the caller's usage
 *   plan (the `internal` plan of the platform's own callers, or a partner's: rate, burst, quota).
 * - Protection: stage throttling from config, a regional WAF (AWS managed rule groups and a rate
 *   limit per IP), request validation of the contract's parameters.
 * - Observability: JSON access logs and execution logs (ERROR) in log groups encrypted with the
 *   platform key, X-Ray, alarms to the platform's topic (5XX rate, p99 latency, WAF blocks).
 * - The handler's role reads only: the named tables and index, statements on the workgroup (its own
 *   statements only), IAM sign-in to the workgroup as the database role `api_reader`, the page token
 *   key.
 */
export class ApiStack extends Stack {
  /** The REST API. */
  public readonly api: apigateway.SpecRestApi;

  /** The handler of every operation. */
  public readonly handler: PlatformFunction;

  /** The handler's execution role. */
  public readonly handlerRole: iam.Role;

  /** The secret holding the HMAC key that signs page tokens. */
  public readonly pageTokenSecret: secretsmanager.Secret;

  /** The regional web ACL in front of the stage. */
  public readonly webAcl: wafv2.CfnWebACL;

  /** The usage plans: `internal` and one per partner, by name. */
  public readonly usagePlans: Readonly<Record<string, apigateway.UsagePlan>>;

  /** The alarms. */
  public readonly alarms: ApiAlarms;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, key } = props;
    const a = config.api;
    const name = `${config.prefix}-api`;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.pageTokenSecret = new secretsmanager.Secret(this, 'PageTokenSecret', {
      description: `HMAC key that signs the page tokens of the ${config.name} REST API`,
      encryptionKey: key,
      // 64 random letters and digits; the handler takes a plain SecretString of 32 characters or more.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // A lost key only invalidates the page tokens in flight.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.pageTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is a random HMAC key that signs page tokens, not a credential of another service: no Secrets Manager rotation function applies, and a new key invalidates the tokens in flight. Rotate it by hand (put-secret-value with a new random value; docs/runbook.md) if it may have leaked.',
    });

    this.handlerRole = this.handlerRoleOf(props);
    this.handler = new PlatformFunction(this, 'Handler', {
      entry: path.join(props.lambdasRoot ?? LAMBDAS_ROOT, 'api', 'handler.ts'),
      serviceName: 'api',
      description: `REST API (${config.name}): named warehouse queries through the Data API and live order and stock lookups`,
      role: this.handlerRole,
      memorySize: a.handler.memoryMiB,
      timeout: Duration.seconds(a.handler.timeoutSeconds),
      logLevel: a.handler.logLevel,
      metricsNamespace: transformerMetricsNamespace(config),
      logEncryptionKey: key,
      logRetention: config.retention.logDays as logs.RetentionDays,
      logRemovalPolicy: removalPolicy,
      environment: {
        WORKGROUP_NAME: props.warehouse.workgroupName,
        DATABASE: props.warehouse.database,
        ORDERS_TABLE: props.tables.orders.tableName,
        STOCK_TABLE: props.tables.stock.tableName,
        PAGE_TOKEN_SECRET_ARN: this.pageTokenSecret.secretArn,
        QUERY_WAIT_SECONDS: String(a.queryWaitSeconds),
      },
    });

    const authorization: GatewayAuthorization =
      a.authorizer === 'cognito' ? { type: 'cognito', userPoolArn: a.cognitoUserPoolArn! } : { type: 'iam' };
    const contract = loadApiContract(props.contractPath ?? API_CONTRACT_PATH);
    const definition = gatewayDefinition(contract, {
      title: name,
      handlerArn: this.handler.function.functionArn,
      authorization,
      partition: Aws.PARTITION,
      region: Aws.REGION,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: key,
      retention: a.accessLogDays as logs.RetentionDays,
      removalPolicy,
    });
    this.api = new apigateway.SpecRestApi(this, 'RestApi', {
      restApiName: name,
      description: `E-commerce data platform REST API (${config.name}), built from api/openapi.yaml`,
      apiDefinition: apigateway.ApiDefinition.fromInline(definition),
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // API Gateway writes access and execution logs only with the account's CloudWatch role set
      // (one per account and region): this creates it, retained, so that deleting one environment
      // never takes logging away from another API of the account.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: API_STAGE_NAME,
        description: `The ${config.name} stage`,
        throttlingRateLimit: a.throttling.rateLimit,
        throttlingBurstLimit: a.throttling.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request and response bodies carry business data: never in the execution logs.
        dataTraceEnabled: false,
        // Per-method metrics cost per method; the stage's metrics (ApiName, Stage) are enough.
        metricsEnabled: false,
        tracingEnabled: true,
        cachingEnabled: false,
      },
    });
    // The definition is inline: a change of the contract must make a new deployment of the stage.
    this.api.latestDeployment?.addToLogicalId({ definition });
    const stage = this.api.deploymentStage;
    this.executionLogs(stage, props);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        "Request validation is in the API's OpenAPI body: the validator `parameters-and-body` (parameters and body) is declared by x-amazon-apigateway-request-validators and set on every operation by x-amazon-apigateway-request-validator (the api stack's tests check it). cdk-nag only recognizes AWS::ApiGateway::RequestValidator resources, which a SpecRestApi does not use.",
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account's API Gateway CloudWatch role uses the AWS managed policy AWS documents for it: API Gateway creates the execution log groups API-Gateway-Execution-Logs_<api>/<stage> of every API of the account and region, so its names cannot be listed here.",
      });
    }

    this.handler.function.addPermission('InvokeFromRestApi', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      // This API's stage only, any method, the contract's /v1 paths.
      sourceArn: this.api.arnForExecuteApi('*', '/v1/*', API_STAGE_NAME),
      sourceAccount: Aws.ACCOUNT_ID,
    });

    this.usagePlans = this.usagePlansOf(config, stage);
    this.webAcl = this.webAclOf(config, stage, props);
    this.alarms = this.alarmsOf(config, stage, props.alarmTopic);

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API (the contract paths follow: <url>v1/...)',
      value: this.api.url,
    });
    new CfnOutput(this, 'StageName', { value: API_STAGE_NAME });
    new CfnOutput(this, 'RestApiId', { value: this.api.restApiId });
    new CfnOutput(this, 'PageTokenSecretArn', { value: this.pageTokenSecret.secretArn });
  }

  /**
   * The handler's role, read only: statements on the workgroup and its own statements' results, IAM
   * sign-in to the workgroup, GetItem and Query on the orders and stock tables and the stock
   * headroom index, the page token key, the platform key through DynamoDB and Secrets Manager. The
   * principal tag RedshiftDbRoles makes Redshift sign it in as the database role `api_reader`.
   */
  private handlerRoleOf(props: ApiStackProps): iam.Role {
    const { config, key, tables, warehouse } = props;
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${config.name} REST API handler: reads the warehouse (as ${API_DATABASE_ROLE}) and the orders and stock tables`,
    });
    // Redshift Serverless maps this principal tag to database roles when the role signs in with IAM
    // (GetCredentials): the handler's database user has the rights of api_reader only.
    Tags.of(role).add('RedshiftDbRoles', API_DATABASE_ROLE);
    if (!TABLES.stock.globalIndexes.some((i) => i.indexName === STOCK_HEADROOM_INDEX)) {
      throw new Error(`ApiStack: the stock table has no index ${STOCK_HEADROOM_INDEX}`);
    }
    const statements = [
      new iam.PolicyStatement({
        sid: 'RunNamedQueriesOnTheWorkgroup',
        actions: ['redshift-data:ExecuteStatement'],
        resources: [warehouse.workgroupArn],
      }),
      // Statements have no resource type: the condition keeps the role to the statements it ran.
      new iam.PolicyStatement({
        sid: 'FollowOwnStatements',
        actions: [
          'redshift-data:DescribeStatement',
          'redshift-data:GetStatementResult',
          'redshift-data:CancelStatement',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
      new iam.PolicyStatement({
        sid: 'SignInToTheWorkgroupWithIam',
        actions: ['redshift-serverless:GetCredentials'],
        resources: [warehouse.workgroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadOrdersAndStock',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [
          tables.orders.tableArn,
          tables.stock.tableArn,
          `${tables.stock.tableArn}/index/${STOCK_HEADROOM_INDEX}`,
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ReadPageTokenKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.pageTokenSecret.secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptThroughDynamoDbAndSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': [
              `dynamodb.${this.region}.amazonaws.com`,
              `secretsmanager.${this.region}.amazonaws.com`,
            ],
          },
        },
      }),
    ];
    for (const s of statements) role.addToPolicy(s);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Data API statements have no resource type: DescribeStatement, GetStatementResult and CancelStatement are allowed on * only for the statements this role ran (condition redshift-data:statement-owner-iam-userid = ${aws:userid}). Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions. Every other statement names its resources.',
    });
    return role;
  }

  /**
   * The stage's execution log group, created before the stage with the platform key and a
   * retention: otherwise API Gateway creates `API-Gateway-Execution-Logs_<api>/<stage>` itself,
   * unencrypted and kept forever.
   */
  private executionLogs(stage: apigateway.Stage, props: ApiStackProps): void {
    const group = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
      encryptionKey: props.key,
      retention: props.config.retention.logDays as logs.RetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    stage.node.addDependency(group);
  }

  /**
   * The usage plans: `internal` (the platform's own callers: the stage's throttling, no quota) and
   * one per partner of the config (its rate, burst and daily quota), each with an API key that API
   * Gateway generates. The keys' values are read with `aws apigateway get-api-key --include-value`.
   */
  private usagePlansOf(
    config: EnvironmentConfig,
    stage: apigateway.Stage,
  ): Record<string, apigateway.UsagePlan> {
    const a = config.api;
    const plans: Record<string, apigateway.UsagePlan> = {};
    const clients = [
      {
        name: INTERNAL_PLAN,
        description: `The platform's own callers of the ${config.name} API (dashboards, tools)`,
        throttle: { rateLimit: a.throttling.rateLimit, burstLimit: a.throttling.burstLimit },
        quota: undefined,
      },
      ...a.partners.map((p) => ({
        name: p.name,
        description: `Partner ${p.name} of the ${config.name} API`,
        throttle: { rateLimit: p.rateLimit, burstLimit: p.burstLimit },
        quota: { limit: p.quotaPerDay, period: apigateway.Period.DAY },
      })),
    ];
    for (const client of clients) {
      const plan = new apigateway.UsagePlan(this, `UsagePlan-${client.name}`, {
        name: `${config.prefix}-api-${client.name}`,
        description: client.description,
        apiStages: [{ api: this.api, stage }],
        throttle: client.throttle,
        quota: client.quota,
      });
      const key = new apigateway.ApiKey(this, `ApiKey-${client.name}`, {
        apiKeyName: `${config.prefix}-api-${client.name}`,
        description: `${client.description}: picks the usage plan; the caller still authenticates`,
        enabled: true,
      });
      plan.addApiKey(key);
      plans[client.name] = plan;
      new CfnOutput(this, `ApiKeyId-${client.name}`, {
        description: `API key of the ${client.name} usage plan (aws apigateway get-api-key --api-key <id> --include-value)`,
        value: key.keyId,
      });
    }
    return plans;
  }

  /**
   * A regional web ACL on the stage: a rate limit per client IP from config, then the AWS managed
   * common, known-bad-inputs and SQL injection rule groups; every rule with CloudWatch metrics and
   * sampled requests. Blocked and counted requests are logged to `aws-waf-logs-<prefix>-api`.
   */
  private webAclOf(
    config: EnvironmentConfig,
    stage: apigateway.Stage,
    props: ApiStackProps,
  ): wafv2.CfnWebACL {
    const name = `${config.prefix}-api`;
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (priority: number, group: string): wafv2.CfnWebACL.RuleProperty => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
      visibilityConfig: visibility(`${name}-${group}`),
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      description: `In front of the ${config.name} REST API stage: rate limit per IP and AWS managed rules`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(name),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.api.wafRateLimitPer5Minutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility(`${name}-RateLimitPerIp`),
        },
        managed(1, 'AWSManagedRulesCommonRuleSet'),
        managed(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managed(3, 'AWSManagedRulesSQLiRuleSet'),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: stage.stageArn,
      webAclArn: webAcl.attrArn,
    });

    // WAF logs to CloudWatch Logs only into a group named aws-waf-logs-*; its ARN without `:*`.
    const logGroupName = `aws-waf-logs-${name}`;
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName,
      encryptionKey: props.key,
      retention: config.retention.logDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // Only what the WAF blocked or counted: the access logs already have every request.
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(wafLogs);
    return webAcl;
  }

  /** The API's alarms, each to the platform's topic (alarm and OK), named `<prefix>-api-<purpose>`. */
  private alarmsOf(config: EnvironmentConfig, stage: apigateway.Stage, topic: sns.ITopic): ApiAlarms {
    const t = config.api.alarms;
    const prefix = `${config.prefix}-api`;
    const fiveMinutes = Duration.minutes(5);
    const serverErrorRate = new cloudwatch.Alarm(this, 'ServerErrorRate', {
      alarmName: `${prefix}-5xx-rate`,
      alarmDescription: `More than ${t.serverErrorRatePercent}% of the API's answers in 5 minutes were 5XX (the handler failed, timed out after 29 s, or a store could not answer); below 20 requests the rate reads 0. ${runbookLink('api-5xx-rate')}`,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: stage.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
          requests: stage.metricCount({ period: fiveMinutes, statistic: 'Sum' }),
        },
        label: '5XX answers (% of requests)',
        period: fiveMinutes,
      }),
      threshold: t.serverErrorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const latencyP99 = new cloudwatch.Alarm(this, 'LatencyP99', {
      alarmName: `${prefix}-latency-p99`,
      alarmDescription: `The API's p99 latency stayed above ${t.p99LatencyMs} ms for 15 minutes (the query wait is ${config.api.queryWaitSeconds} s: warehouse queries run long, or the workgroup is saturated or resuming). ${runbookLink('api-latency-p99')}`,
      metric: stage.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
      threshold: t.p99LatencyMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const wafBlocked =
      t.wafBlockedRequests > 0
        ? new cloudwatch.Alarm(this, 'WafBlocked', {
            alarmName: `${prefix}-waf-blocked`,
            alarmDescription: `The API's WAF blocked more than ${t.wafBlockedRequests} requests in 5 minutes (a flood from one IP, an attack, or a client the managed rules refuse); the blocked requests are in the log group aws-waf-logs-${prefix}. ${runbookLink('api-waf-blocked')}`,
            metric: new cloudwatch.Metric({
              namespace: 'AWS/WAFV2',
              metricName: 'BlockedRequests',
              dimensionsMap: { WebACL: prefix, Region: this.region, Rule: 'ALL' },
              period: fiveMinutes,
              statistic: 'Sum',
            }),
            threshold: t.wafBlockedRequests,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          })
        : undefined;
    const action = new cwActions.SnsAction(topic);
    for (const alarm of [serverErrorRate, latencyP99, wafBlocked]) {
      alarm?.addAlarmAction(action);
      alarm?.addOkAction(action);
    }
    return { serverErrorRate, latencyP99, ...(wafBlocked ? { wafBlocked } : {}) };
  }
}
