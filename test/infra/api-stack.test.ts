/**
 * The API stack of every environment: the REST API built from api/openapi.yaml (every operation a
 * proxy integration of the handler, IAM or Cognito authorization plus the usage-plan key, request
 * validation, the gateway's own errors in the contract's problem format), the stage (throttling,
 * access and execution logs, tracing), usage plans and keys, the WAF, the handler and its read-only
 * role, the alarms, and cdk-nag. Bundling is skipped (helpers.testApp).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse } from 'yaml';
import { EnvironmentConfig, EnvironmentName } from '../../lib/config/environment-config';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { validateEnvironmentConfig } from '../../lib/config/validate-config';
import { gatewayDefinition } from '../../lib/constructs/api-definition';
import { PlatformStacks, buildPlatformApp } from '../../lib/platform-app';
import { API_STAGE_NAME, ApiStack } from '../../lib/stacks/api-stack';
import { REPO_ROOT, nagFindings, testApp } from './helpers';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Json };

const CONTRACT = path.join(REPO_ROOT, 'api', 'openapi.yaml');
const PROBLEMS = 'https://docs.ecommerce-data-platform.example/problems/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** The operations of the contract, read here with the yaml package (not with the stack's code). */
function contractOperations(): { path: string; method: string; operationId: string }[] {
  const doc = parse(fs.readFileSync(CONTRACT, 'utf8')) as { paths: Record<string, Record<string, Json>> };
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => ({
      path: p,
      method: m,
      operationId: item[m].operationId as string,
    })),
  );
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

interface Built {
  readonly app: App;
  readonly stacks: PlatformStacks;
  readonly template: Template;
  readonly resources: Record<string, Resource>;
  /** The RestApi's OpenAPI body. */
  readonly body: Json;
}

function build(config: EnvironmentConfig): Built {
  const app = testApp();
  const stacks = buildPlatformApp(app, config, { nag: false });
  app.synth();
  const template = Template.fromStack(stacks.api);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const [restApi] = Object.values(template.findResources('AWS::ApiGateway::RestApi')) as Resource[];
  return { app, stacks, template, resources, body: restApi.Properties.Body as Json };
}

function logicalIdOfType(resources: Record<string, Resource>, type: string, prefix = ''): string {
  const ids = Object.keys(resources).filter((id) => resources[id].Type === type && id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every statement of the inline policies of the handler's role. */
function handlerStatements(b: Built): Statement[] {
  const roleId = logicalIdOfType(b.resources, 'AWS::IAM::Role', 'HandlerRole');
  return Object.values(b.resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const operations = contractOperations();

describe('the contract', () => {
  test('has operations, each with an operationId', () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const op of operations) expect(op.operationId).toMatch(/^[A-Za-z]+$/);
  });
});

describe.each(['dev', 'staging', 'prod'] as EnvironmentName[])('the %s api stack', (name) => {
  const config = ENVIRONMENTS[name];
  const a = config.api;
  let b: Built;
  beforeAll(() => {
    b = build(config);
  });

  test(`is ${config.prefix}-api, after storage, ingestion and warehouse`, () => {
    expect(b.stacks.api.stackName).toBe(`${config.prefix}-api`);
    expect(b.stacks.api.dependencies).toEqual(
      expect.arrayContaining([b.stacks.storage, b.stacks.ingestion, b.stacks.warehouse]),
    );
  });

  test('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(b.stacks.api)).toEqual([]);
  });

  test('is one regional REST API named from the prefix', () => {
    b.template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    b.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: `${config.prefix}-api`,
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    expect((b.body.info as Json).title).toBe(`${config.prefix}-api`);
  });

  test('wires every operation of api/openapi.yaml, and only those, to the handler (proxy, POST)', () => {
    const handlerId = logicalIdOfType(b.resources, 'AWS::Lambda::Function', 'HandlerFunction');
    const paths = b.body.paths as Record<string, Record<string, Json>>;
    const wired = Object.entries(paths).flatMap(([p, item]) =>
      Object.entries(item).map(([m, op]) => ({ path: p, method: m, operationId: op.operationId })),
    );
    expect(wired).toEqual(operations);
    for (const op of operations) {
      const integration = paths[op.path][op.method]['x-amazon-apigateway-integration'] as Json;
      expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST', timeoutInMillis: 29_000 });
      const uri = JSON.stringify(integration.uri);
      expect(uri).toContain(':lambda:path/2015-03-31/functions/');
      expect(uri).toContain(`{"Fn::GetAtt":["${handlerId}","Arn"]}`);
      expect(uri).toContain('/invocations');
    }
  });

  test('authorizes every operation with IAM (SigV4) and the usage-plan API key', () => {
    const schemes = (b.body.components as Json).securitySchemes as Record<string, Json>;
    expect(schemes.sigv4).toMatchObject({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    expect(schemes.api_key).toEqual({ type: 'apiKey', name: 'x-api-key', in: 'header' });
    expect(schemes.cognito).toBeUndefined();
    expect(b.body.security).toEqual([{ sigv4: [], api_key: [] }]);
    const paths = b.body.paths as Record<string, Record<string, Json>>;
    for (const op of operations) {
      expect(paths[op.path][op.method].security).toEqual([{ sigv4: [], api_key: [] }]);
    }
    expect(b.body['x-amazon-apigateway-api-key-source']).toBe('HEADER');
    b.template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });

  test("validates every operation's parameters (and body) at the gateway, with the contract's required ones", () => {
    const validators = b.body['x-amazon-apigateway-request-validators'] as Record<string, Json>;
    const paths = b.body.paths as Record<string, Record<string, Json>>;
    const contract = parse(fs.readFileSync(CONTRACT, 'utf8')) as Json;
    for (const op of operations) {
      const gatewayOp = paths[op.path][op.method];
      const validator = gatewayOp['x-amazon-apigateway-request-validator'] as string;
      expect(validators[validator]).toEqual({ validateRequestParameters: true, validateRequestBody: true });
      // Every path parameter of the route is a required parameter of the operation.
      const params = (gatewayOp.parameters ?? []) as Json[];
      for (const [, pathParam] of op.path.matchAll(/\{([^}]+)\}/g)) {
        expect(params).toContainEqual(
          expect.objectContaining({ name: pathParam, in: 'path', required: true }),
        );
      }
      // The contract's required query parameters stay required.
      const contractOp = ((contract.paths as Json)[op.path] as Json)[op.method] as Json;
      const required = JSON.stringify(contractOp.parameters ?? []).match(/"required":true/g) ?? [];
      expect(params.filter((p) => p.required === true).length).toBeGreaterThanOrEqual(
        required.length - (op.path.match(/\{/g) ?? []).length,
      );
    }
    const sales = paths['/v1/sales/trend']?.get;
    if (sales) {
      const required = (sales.parameters as Json[]).filter((p) => p.required).map((p) => p.name);
      expect(required).toEqual(['grain', 'from', 'to']);
    }
  });

  test("answers the gateway's own errors in the contract's problem format", () => {
    const responses = b.body['x-amazon-apigateway-gateway-responses'] as Record<string, Json>;
    const problem = (type: string) => {
      const r = responses[type];
      expect((r.responseParameters as Json)['gatewayresponse.header.Content-Type']).toBe(
        "'application/problem+json'",
      );
      const template = (r.responseTemplates as Json)['application/json'] as string;
      // $context.error.messageString is a JSON string already (quoted and escaped).
      const body = JSON.parse(
        template.replace('$context.error.messageString', '"Forbidden"').replace('$context.requestId', 'r-1'),
      ) as Json;
      expect(body.status).toBe(Number(r.statusCode));
      expect(body.detail).toBe('Forbidden');
      expect(body.request_id).toBe('r-1');
      return body;
    };
    for (const type of [
      'ACCESS_DENIED',
      'MISSING_AUTHENTICATION_TOKEN',
      'UNAUTHORIZED',
      'INVALID_SIGNATURE',
    ]) {
      expect(responses[type].statusCode).toBe('403');
      expect(problem(type).type).toBe(`${PROBLEMS}unauthenticated`);
    }
    expect(responses.THROTTLED.statusCode).toBe('429');
    expect(problem('THROTTLED').type).toBe(`${PROBLEMS}throttled`);
    expect(problem('QUOTA_EXCEEDED').status).toBe(429);
    expect(problem('BAD_REQUEST_PARAMETERS').type).toBe(`${PROBLEMS}invalid-parameter`);
    expect(problem('DEFAULT_4XX').status).toBe(400);
    expect(problem('DEFAULT_5XX').type).toBe(`${PROBLEMS}internal`);
  });

  test(`deploys one stage, '${API_STAGE_NAME}', throttled at ${a.throttling.rateLimit}/s (burst ${a.throttling.burstLimit}), traced, errors logged, no cache`, () => {
    b.template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    b.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: API_STAGE_NAME,
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: a.throttling.rateLimit,
          ThrottlingBurstLimit: a.throttling.burstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          CachingEnabled: false,
          MetricsEnabled: false,
        },
      ],
    });
    const [stage] = Object.values(b.template.findResources('AWS::ApiGateway::Stage')) as Resource[];
    expect(stage.Properties.CacheClusterEnabled).toBeUndefined();
  });

  test(`writes JSON access logs to a KMS-encrypted log group kept ${a.accessLogDays} days`, () => {
    const [stage] = Object.values(b.template.findResources('AWS::ApiGateway::Stage')) as Resource[];
    const setting = stage.Properties.AccessLogSetting as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      caller: '$context.identity.caller',
      userArn: '$context.identity.userArn',
      apiKeyId: '$context.identity.apiKeyId',
      sourceIp: '$context.identity.sourceIp',
      path: '$context.path',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
      integrationLatencyMs: '$context.integration.latency',
    });
    const accessLogs = logicalIdOfType(b.resources, 'AWS::Logs::LogGroup', 'AccessLogs');
    expect(JSON.stringify(setting.DestinationArn)).toContain(`{"Ref":"${accessLogs}"}`);
    expect(b.resources[accessLogs].Properties).toMatchObject({
      RetentionInDays: a.accessLogDays,
      KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/PlatformKey/) },
    });
  });

  test('creates the execution log group before the stage, encrypted and with a retention', () => {
    const restApi = logicalIdOfType(b.resources, 'AWS::ApiGateway::RestApi');
    const executionLogs = logicalIdOfType(b.resources, 'AWS::Logs::LogGroup', 'ExecutionLogs');
    expect(b.resources[executionLogs].Properties.LogGroupName).toEqual({
      'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: restApi }, `/${API_STAGE_NAME}`]],
    });
    expect(b.resources[executionLogs].Properties.RetentionInDays).toBe(config.retention.logDays);
    const [stage] = Object.values(b.template.findResources('AWS::ApiGateway::Stage')) as Resource[];
    expect(stage.DependsOn).toContain(executionLogs);
    // API Gateway writes logs only with the account's CloudWatch role set; it is retained.
    b.template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });

  test('encrypts every log group with the platform key', () => {
    b.template.allResourcesProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
    });
  });

  test(`has usage plans: internal plus ${a.partners.map((p) => p.name).join(', ') || 'no partner'}, each with a generated key`, () => {
    const plans = Object.values(b.template.findResources('AWS::ApiGateway::UsagePlan')) as Resource[];
    expect(plans).toHaveLength(1 + a.partners.length);
    const restApi = logicalIdOfType(b.resources, 'AWS::ApiGateway::RestApi');
    const stage = logicalIdOfType(b.resources, 'AWS::ApiGateway::Stage');
    for (const plan of plans) {
      expect(plan.Properties.ApiStages).toEqual([
        expect.objectContaining({ ApiId: { Ref: restApi }, Stage: { Ref: stage } }),
      ]);
    }
    const internal = plans.find((p) => p.Properties.UsagePlanName === `${config.prefix}-api-internal`)!;
    expect(internal.Properties.Throttle).toEqual({
      RateLimit: a.throttling.rateLimit,
      BurstLimit: a.throttling.burstLimit,
    });
    expect(internal.Properties.Quota).toBeUndefined();
    for (const partner of a.partners) {
      const plan = plans.find((p) => p.Properties.UsagePlanName === `${config.prefix}-api-${partner.name}`);
      expect(plan?.Properties).toMatchObject({
        Throttle: { RateLimit: partner.rateLimit, BurstLimit: partner.burstLimit },
        Quota: { Limit: partner.quotaPerDay, Period: 'DAY' },
      });
    }
    const keys = Object.values(b.template.findResources('AWS::ApiGateway::ApiKey')) as Resource[];
    expect(keys.map((k) => k.Properties.Name).sort()).toEqual(
      ['internal', ...a.partners.map((p) => p.name)].map((n) => `${config.prefix}-api-${n}`).sort(),
    );
    for (const key of keys) {
      expect(key.Properties.Value).toBeUndefined();
      expect(key.Properties.Enabled).toBe(true);
    }
    b.template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1 + a.partners.length);
  });

  test(`puts a regional WAF on the stage: ${a.wafRateLimitPer5Minutes} requests per IP in 5 minutes, AWS managed rules, metrics, logs`, () => {
    b.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: `${config.prefix}-api`,
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
        MetricName: Match.anyValue(),
      },
    });
    const [acl] = Object.values(b.template.findResources('AWS::WAFv2::WebACL')) as Resource[];
    const rules = acl.Properties.Rules as Json[];
    const rate = rules.find((r) => r.Name === 'RateLimitPerIp')!;
    expect(rate).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: {
          Limit: a.wafRateLimitPer5Minutes,
          AggregateKeyType: 'IP',
          EvaluationWindowSec: 300,
        },
      },
    });
    const managed = rules
      .map((r) => (r.Statement as Json).ManagedRuleGroupStatement as Json | undefined)
      .filter((s) => s !== undefined)
      .map((s) => `${String(s.VendorName)}/${String(s.Name)}`);
    expect(managed).toEqual([
      'AWS/AWSManagedRulesCommonRuleSet',
      'AWS/AWSManagedRulesKnownBadInputsRuleSet',
      'AWS/AWSManagedRulesSQLiRuleSet',
    ]);
    for (const rule of rules) {
      expect(rule.VisibilityConfig).toMatchObject({
        CloudWatchMetricsEnabled: true,
        SampledRequestsEnabled: true,
      });
    }
    expect(new Set(rules.map((r) => r.Priority)).size).toBe(rules.length);
    const restApi = logicalIdOfType(b.resources, 'AWS::ApiGateway::RestApi');
    const stage = logicalIdOfType(b.resources, 'AWS::ApiGateway::Stage');
    const webAcl = logicalIdOfType(b.resources, 'AWS::WAFv2::WebACL');
    const [association] = Object.values(
      b.template.findResources('AWS::WAFv2::WebACLAssociation'),
    ) as Resource[];
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [webAcl, 'Arn'] });
    const target = JSON.stringify(association.Properties.ResourceArn);
    expect(target).toMatch(new RegExp(`/restapis/","?\\{"Ref":"${restApi}"\\}`));
    expect(target).toContain(`/stages/","{"Ref":"${stage}"}`.replace('","{', '",{'));
    b.template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [webAcl, 'Arn'] },
      LogDestinationConfigs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    });
    const [logging] = Object.values(
      b.template.findResources('AWS::WAFv2::LoggingConfiguration'),
    ) as Resource[];
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toContain(
      `:log-group:aws-waf-logs-${config.prefix}-api"`,
    );
    b.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `aws-waf-logs-${config.prefix}-api`,
    });
  });

  test(`runs the handler on arm64 with ${a.handler.memoryMiB} MiB and ${a.handler.timeoutSeconds} s, above the ${a.queryWaitSeconds} s wait and below the gateway's 29 s`, () => {
    const handlerId = logicalIdOfType(b.resources, 'AWS::Lambda::Function', 'HandlerFunction');
    const fn = b.resources[handlerId].Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: a.handler.memoryMiB,
      Timeout: a.handler.timeoutSeconds,
      TracingConfig: { Mode: 'Active' },
    });
    expect(a.queryWaitSeconds).toBeLessThan(a.handler.timeoutSeconds);
    expect(a.handler.timeoutSeconds).toBeLessThan(29);
    const env = (fn.Environment as { Variables: Json }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'WORKGROUP_NAME',
        'DATABASE',
        'ORDERS_TABLE',
        'STOCK_TABLE',
        'PAGE_TOKEN_SECRET_ARN',
        'QUERY_WAIT_SECONDS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_LOG_LEVEL',
        'NODE_OPTIONS',
      ].sort(),
    );
    const secret = logicalIdOfType(b.resources, 'AWS::SecretsManager::Secret', 'PageTokenSecret');
    expect(env).toMatchObject({
      WORKGROUP_NAME: `${config.prefix}-warehouse`,
      DATABASE: config.warehouse.databaseName,
      ORDERS_TABLE: { 'Fn::ImportValue': expect.stringMatching(/Tableorders/) },
      STOCK_TABLE: { 'Fn::ImportValue': expect.stringMatching(/Tablestock/) },
      PAGE_TOKEN_SECRET_ARN: { Ref: secret },
      QUERY_WAIT_SECONDS: String(a.queryWaitSeconds),
      POWERTOOLS_SERVICE_NAME: 'api',
      POWERTOOLS_METRICS_NAMESPACE: `EcommerceDataPlatform/${name}`,
      POWERTOOLS_LOG_LEVEL: a.handler.logLevel,
    });
  });

  test('lets only this API stage invoke the handler, on the /v1 paths', () => {
    const restApi = logicalIdOfType(b.resources, 'AWS::ApiGateway::RestApi');
    const permissions = Object.values(b.template.findResources('AWS::Lambda::Permission')) as Resource[];
    expect(permissions).toHaveLength(1);
    const p = permissions[0].Properties;
    expect(p.Principal).toBe('apigateway.amazonaws.com');
    expect(p.Action).toBe('lambda:InvokeFunction');
    const source = JSON.stringify(p.SourceArn);
    expect(source).toContain(':execute-api:');
    expect(source).toContain(`{"Ref":"${restApi}"},"/${API_STAGE_NAME}/*/v1/*"`);
  });

  test('keeps the page token key in a generated secret encrypted with the platform key', () => {
    b.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('PlatformKey') },
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    const [secret] = Object.values(b.template.findResources('AWS::SecretsManager::Secret')) as Resource[];
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  test("tags the handler's role RedshiftDbRoles=api_reader (its database role on IAM sign-in)", () => {
    const roleId = logicalIdOfType(b.resources, 'AWS::IAM::Role', 'HandlerRole');
    expect(b.resources[roleId].Properties.Tags).toEqual(
      expect.arrayContaining([{ Key: 'RedshiftDbRoles', Value: 'api_reader' }]),
    );
    expect(b.resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test("the handler's role may only read: the named actions, each on its own resources", () => {
    const statements = handlerStatements(b);
    const actions = statements.flatMap(actionsOf).sort();
    expect(actions).toEqual(
      [
        'redshift-data:ExecuteStatement',
        'redshift-data:DescribeStatement',
        'redshift-data:GetStatementResult',
        'redshift-data:CancelStatement',
        'redshift-serverless:GetCredentials',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'secretsmanager:GetSecretValue',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    // No write to any store: the only Put/Create actions are the function's own logs and traces.
    const writes = actions.filter((x) =>
      /:(Put|Delete|Update|BatchWrite|Create|Batch|Modify|Restore)/.test(x),
    );
    expect(writes).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(actions.some((x) => x.includes('*'))).toBe(false);

    const withAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action));
    const only = (action: string) => {
      const found = withAction(action);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const workgroupArn = { 'Fn::ImportValue': expect.stringMatching(/WorkgroupArn/) };
    expect(resourcesOf(only('redshift-data:ExecuteStatement'))).toEqual([workgroupArn]);
    expect(resourcesOf(only('redshift-serverless:GetCredentials'))).toEqual([workgroupArn]);
    const own = only('redshift-data:DescribeStatement');
    expect(actionsOf(own).sort()).toEqual([
      'redshift-data:CancelStatement',
      'redshift-data:DescribeStatement',
      'redshift-data:GetStatementResult',
    ]);
    expect(own.Resource).toBe('*');
    expect(own.Condition).toEqual({
      StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' },
    });
    const read = only('dynamodb:GetItem');
    expect(actionsOf(read).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    const tableResources = JSON.stringify(resourcesOf(read));
    expect(resourcesOf(read)).toHaveLength(3);
    expect(tableResources).toMatch(/TableordersTable\w+Arn/);
    expect(tableResources).toMatch(/TablestockTable\w+Arn\w*"\},"\/index\/by-warehouse-headroom"/);
    expect(tableResources).not.toMatch(/stock-ledger|Tablestockledger|index\/\*/);
    const secret = logicalIdOfType(b.resources, 'AWS::SecretsManager::Secret', 'PageTokenSecret');
    expect(resourcesOf(only('secretsmanager:GetSecretValue'))).toEqual([{ Ref: secret }]);
    const decrypt = only('kms:Decrypt');
    expect(resourcesOf(decrypt)).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/PlatformKey/) }]);
    const via = JSON.stringify(decrypt.Condition);
    expect(via).toContain('kms:ViaService');
    expect(via).toContain('"dynamodb."');
    expect(via).toContain('"secretsmanager."');
    const logsId = logicalIdOfType(b.resources, 'AWS::Logs::LogGroup', 'HandlerLogGroup');
    expect(resourcesOf(only('logs:PutLogEvents'))).toEqual([{ 'Fn::GetAtt': [logsId, 'Arn'] }]);
    // '*' only where no resource type exists: own statements (conditioned) and X-Ray.
    const star = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(star.flatMap(actionsOf).sort()).toEqual([
      'redshift-data:CancelStatement',
      'redshift-data:DescribeStatement',
      'redshift-data:GetStatementResult',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('alarms to the platform topic on the 5XX rate, p99 latency and WAF blocks, with runbook anchors', () => {
    const topic = [{ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmTopic') }];
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${config.prefix}-api-5xx-rate`,
      AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#api-5xx-rate$'),
      Threshold: a.alarms.serverErrorRatePercent,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests >= 20, 100 * errors / requests, 0)' }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: '5XXError',
              Namespace: 'AWS/ApiGateway',
              Dimensions: Match.arrayWith([
                { Name: 'ApiName', Value: `${config.prefix}-api` },
                { Name: 'Stage', Value: Match.anyValue() },
              ]),
            }),
          }),
        }),
      ]),
      AlarmActions: topic,
      OKActions: topic,
    });
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${config.prefix}-api-latency-p99`,
      AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#api-latency-p99$'),
      MetricName: 'Latency',
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
      Threshold: a.alarms.p99LatencyMs,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      AlarmActions: topic,
    });
    if (a.alarms.wafBlockedRequests > 0) {
      b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${config.prefix}-api-waf-blocked`,
        AlarmDescription: Match.stringLikeRegexp('Runbook: docs/runbook.md#api-waf-blocked$'),
        MetricName: 'BlockedRequests',
        Namespace: 'AWS/WAFV2',
        Dimensions: Match.arrayWith([
          { Name: 'Rule', Value: 'ALL' },
          { Name: 'WebACL', Value: `${config.prefix}-api` },
        ]),
        Threshold: a.alarms.wafBlockedRequests,
        AlarmActions: topic,
      });
      b.template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    } else {
      b.template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(b.stacks.api.alarms.wafBlocked).toBeUndefined();
    }
  });

  test('outputs the API URL and the stage name', () => {
    const outputs = b.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.StageName.Value).toBe(API_STAGE_NAME);
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('.execute-api.');
  });
});

/** A config checked by the same validation `cdk synth` runs. */
function validated(config: EnvironmentConfig): EnvironmentConfig {
  validateEnvironmentConfig(config);
  return config;
}

describe('an API with the Cognito authorizer', () => {
  const poolArn = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
  const config = validated({
    ...ENVIRONMENTS.staging,
    api: { ...ENVIRONMENTS.staging.api, authorizer: 'cognito', cognitoUserPoolArn: poolArn },
  });
  let b: Built;
  beforeAll(() => {
    b = build(config);
  });

  test('authorizes every operation with the user pool (and the usage-plan key), not SigV4', () => {
    const schemes = (b.body.components as Json).securitySchemes as Record<string, Json>;
    expect(schemes.cognito).toEqual({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [poolArn] },
    });
    expect(schemes.sigv4).toBeUndefined();
    const paths = b.body.paths as Record<string, Record<string, Json>>;
    for (const op of operations) {
      expect(paths[op.path][op.method].security).toEqual([{ cognito: [], api_key: [] }]);
    }
    expect(b.body.security).toEqual([{ cognito: [], api_key: [] }]);
  });

  test('answers an unauthenticated call (401 from the authorizer included) as the contract says: 403 unauthenticated', () => {
    const responses = b.body['x-amazon-apigateway-gateway-responses'] as Record<string, Json>;
    expect(responses.UNAUTHORIZED.statusCode).toBe('403');
    expect((responses.UNAUTHORIZED.responseTemplates as Json)['application/json']).toContain(
      `${PROBLEMS}unauthenticated`,
    );
  });

  test('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(b.stacks.api)).toEqual([]);
  });
});

/** The api stack alone, with imported dependencies, built from the contract at `contractPath`. */
function standaloneApi(contractPath: string): Template {
  const app = testApp();
  const deps = new Stack(app, 'Deps');
  const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:123456789012:${resource}`;
  const api = new ApiStack(app, 'Api', {
    config: ENVIRONMENTS.dev,
    key: kms.Key.fromKeyArn(deps, 'Key', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab')),
    tables: {
      orders: dynamodb.Table.fromTableArn(deps, 'Orders', arn('dynamodb', 'table/ecom-dev-orders')),
      stock: dynamodb.Table.fromTableArn(deps, 'Stock', arn('dynamodb', 'table/ecom-dev-stock')),
    },
    warehouse: {
      workgroupName: 'ecom-dev-warehouse',
      workgroupArn: arn('redshift-serverless', 'workgroup/0b1c2d3e-0000-1111-2222-333344445555'),
      database: 'analytics',
    },
    alarmTopic: sns.Topic.fromTopicArn(deps, 'Topic', arn('sns', 'ecom-dev-alarms')),
    contractPath,
  });
  return Template.fromStack(api);
}

describe('a change of the contract', () => {
  test('makes a new deployment of the stage (the inline body is part of the deployment id)', () => {
    const deploymentOf = (t: Template) => {
      const ids = Object.keys(t.findResources('AWS::ApiGateway::Deployment'));
      expect(ids).toHaveLength(1);
      const [stage] = Object.values(t.findResources('AWS::ApiGateway::Stage')) as Resource[];
      expect(stage.Properties.DeploymentId).toEqual({ Ref: ids[0] });
      return ids[0];
    };
    const original = deploymentOf(standaloneApi(CONTRACT));
    expect(deploymentOf(standaloneApi(CONTRACT))).toBe(original);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-contract-'));
    const changed = path.join(dir, 'openapi.yaml');
    fs.writeFileSync(
      changed,
      fs.readFileSync(CONTRACT, 'utf8').replace(/^(\s+summary: )(.*)$/m, '$1$2 (changed)'),
    );
    try {
      expect(deploymentOf(standaloneApi(changed))).not.toBe(original);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the gateway definition', () => {
  const base = {
    openapi: '3.0.3',
    info: { title: 'x', version: '1' },
    paths: {
      '/v1/things/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { $ref: '#/components/schemas/Id' } }],
        get: {
          operationId: 'getThing',
          parameters: [{ $ref: '#/components/parameters/Limit' }],
          responses: { '200': { $ref: '#/components/responses/Ok' } },
        },
      },
    },
    components: {
      schemas: { Id: { type: 'integer', format: 'int64', minimum: 1 } },
      parameters: { Limit: { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 10 } } },
      responses: {
        Ok: { description: 'the thing', content: { 'application/json': { schema: { anyOf: [] } } } },
      },
    },
  };
  const options = {
    title: 'test-api',
    handlerArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
    authorization: { type: 'iam' } as const,
    partition: 'aws',
    region: 'eu-west-1',
  };

  test("resolves $refs into the parameters' name, place, required and type, and drops response schemas", () => {
    const def = gatewayDefinition(base, options) as { paths: Record<string, Record<string, Json>> };
    const op = def.paths['/v1/things/{id}'].get;
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
      { name: 'limit', in: 'query', schema: { type: 'integer' } },
    ]);
    expect(op.responses).toEqual({ '200': { description: 'the thing' } });
    expect(JSON.stringify(def)).not.toMatch(/anyOf|int64|"schemas"/);
  });

  test('refuses an operation without an operationId or with its own security', () => {
    const noId = { ...base, paths: { '/v1/x': { get: { responses: {} } } } };
    expect(() => gatewayDefinition(noId, options)).toThrow(/GET \/v1\/x has no operationId/);
    const ownSecurity = {
      ...base,
      paths: { '/v1/x': { get: { operationId: 'open', security: [], responses: {} } } },
    };
    expect(() => gatewayDefinition(ownSecurity, options)).toThrow(/open sets its own security/);
  });

  test('refuses a $ref that names nothing', () => {
    const broken = {
      ...base,
      paths: {
        '/v1/x': { get: { operationId: 'x', parameters: [{ $ref: '#/components/parameters/Nope' }] } },
      },
    };
    expect(() => gatewayDefinition(broken, options)).toThrow(/names nothing/);
  });
});
