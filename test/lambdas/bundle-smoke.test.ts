/**
 * Smoke test of the deployed artefact: the inventory transformer bundled by the real PlatformFunction
 * construct (a CDK synth with local esbuild bundling, so the bundling options are the construct's own:
 * platform node, the runtime's target, CJS, `mainFields` module then main, minified, source maps, no
 * external modules), run in a child Node process from a temporary folder outside the repository, with
 * the environment the synthesized function carries (`transformerEnvironment` plus the construct's
 * Powertools variables), dummy credentials and `AWS_ENDPOINT_URL_DYNAMODB` pointing at dynalite.
 *
 * It proves that the bundle carries everything it needs, the contract schemas included (imported
 * statically in contracts/schema-files.ts), and that the handler builds itself from its environment.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { ENVIRONMENTS } from '../../lib/config/environments';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { TableId, tableEnvVar } from '../../lib/tables/table-definitions';
import { TRANSFORMER_TABLES, transformerEnvironment } from '../../lambdas/shared/runtime-settings';
import { Emulators, createTables, startEmulators } from '../../twin/emulators';
import { movement } from '../fixtures/events';
import { jsonRecord, kinesisEvent } from './fixtures/kinesis';

const run = promisify(execFile);

/** The bundled handler and the environment variables of its function, as synthesized. */
interface SynthesizedFunction {
  /** The folder of the function's asset (index.js and its source map). */
  readonly assetDir: string;
  /** The function's environment variables in the template. */
  readonly environment: Record<string, string>;
}

/**
 * Synthesizes a stack with the inventory transformer as the ingestion stack declares it (same
 * construct, same entry, same environment builder), bundling it for real, and returns its asset.
 */
async function synthesizeInventoryFunction(
  outdir: string,
  tables: Partial<Record<TableId, string>>,
): Promise<SynthesizedFunction> {
  const config = ENVIRONMENTS.prod;
  const app = new App({ outdir });
  const stack = new Stack(app, 'BundleSmoke');
  const fn = new PlatformFunction(stack, 'Transformer', {
    entry: 'lambdas/inventory-transformer/handler.ts',
    serviceName: 'inventory-transformer',
    environment: transformerEnvironment({
      streamId: 'inventory',
      tables,
      deadLetterBucket: 'bundle-smoke-raw',
      maxRecordBytes: config.transformer.maxRecordBytes,
      ttlDays: {
        interactions: config.retention.interactionsTtlDays,
        sessions: config.retention.sessionsTtlDays,
        applicationLogs: config.retention.applicationLogsTtlDays,
        stockLedger: config.retention.stockLedgerTtlDays,
      },
    }),
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const template = artifact.template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
  const props = template.Resources[logicalId].Properties as {
    Code: { S3Key: string };
    Environment: { Variables: Record<string, string> };
  };
  const hash = props.Code.S3Key.replace(/\.zip$/, '');
  const manifest = JSON.parse(
    await fs.readFile(path.join(outdir, `${artifact.stackName}.assets.json`), 'utf8'),
  ) as { files: Record<string, { source: { path: string } }> };
  return {
    assetDir: path.join(outdir, manifest.files[hash].source.path),
    environment: props.Environment.Variables,
  };
}

/** A script that loads the bundle, invokes `handler` once and writes the response to a file. */
const RUNNER = `'use strict';
const fs = require('node:fs');
const [bundle, eventFile, responseFile] = process.argv.slice(2);
const { handler } = require(bundle);
const context = {
  functionName: 'inventory-transformer',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inventory-transformer',
  memoryLimitInMB: '256',
  awsRequestId: 'bundle-smoke-1',
  logGroupName: '/aws/lambda/inventory-transformer',
  logStreamName: 'bundle-smoke',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60000,
  done() {}, fail() {}, succeed() {},
};
// Whether a package is reachable from the bundle's folder (it must not be: the bundle carries its own).
let packagesReachable = true;
try {
  require.resolve('@aws-sdk/client-dynamodb', { paths: [require('node:path').dirname(bundle)] });
} catch {
  packagesReachable = false;
}
handler(JSON.parse(fs.readFileSync(eventFile, 'utf8')), context).then(
  (response) => fs.writeFileSync(responseFile, JSON.stringify({ response, packagesReachable })),
  (err) => { console.error(err); process.exitCode = 1; },
);
`;

let emulators: Emulators;
let tables: Record<TableId, string>;
let workDir: string;
let fn: SynthesizedFunction;

beforeAll(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-smoke-'));
  emulators = await startEmulators();
  tables = await createTables(emulators.dynamo, 'smoke');
  const inventoryTables: Partial<Record<TableId, string>> = {};
  for (const id of TRANSFORMER_TABLES.inventory) inventoryTables[id] = tables[id];
  fn = await synthesizeInventoryFunction(path.join(workDir, 'cdk.out'), inventoryTables);
}, 60_000);

afterAll(async () => {
  await emulators?.stop();
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

/** Runs the bundle's handler on an event in a child Node process; returns its response and output. */
async function invokeBundle(event: KinesisStreamEvent): Promise<{
  response: KinesisStreamBatchResponse;
  packagesReachable: boolean;
  stdout: string;
}> {
  // Copy the asset to a folder of its own, as Lambda unpacks it to /var/task: no node_modules above.
  const task = await fs.mkdtemp(path.join(workDir, 'task-'));
  await fs.cp(fn.assetDir, task, { recursive: true });
  const runner = path.join(workDir, 'runner.cjs');
  const eventFile = path.join(workDir, 'event.json');
  const responseFile = path.join(workDir, 'response.json');
  await fs.writeFile(runner, RUNNER);
  await fs.writeFile(eventFile, JSON.stringify(event));
  const { stdout } = await run(
    process.execPath,
    [runner, path.join(task, 'index.js'), eventFile, responseFile],
    {
      cwd: task,
      timeout: 30_000,
      // Only what Lambda would set: the function's variables, the runtime's, and dummy credentials.
      // The shared config files point nowhere, so no profile of this machine is read.
      env: {
        PATH: process.env.PATH ?? '',
        ...fn.environment,
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'bundle-smoke',
        AWS_SECRET_ACCESS_KEY: 'bundle-smoke',
        AWS_SESSION_TOKEN: 'bundle-smoke',
        AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
        AWS_LAMBDA_FUNCTION_NAME: 'inventory-transformer',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        LAMBDA_TASK_ROOT: task,
        AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
      },
    },
  );
  const result = JSON.parse(await fs.readFile(responseFile, 'utf8')) as {
    response: KinesisStreamBatchResponse;
    packagesReachable: boolean;
  };
  return { ...result, stdout };
}

describe('the bundled inventory transformer', () => {
  test('is one CommonJS file and its source map, with the environment the ingestion stack sets', async () => {
    // Prepare
    const files = await fs.readdir(fn.assetDir);

    // Act
    const code = await fs.readFile(path.join(fn.assetDir, 'index.js'), 'utf8');

    // Assess
    expect(files.sort()).toEqual(['index.js', 'index.js.map']);
    expect(code).toMatch(/exports/);
    expect(fn.environment).toMatchObject({
      STREAM_ID: 'inventory',
      [tableEnvVar('stock')]: tables.stock,
      [tableEnvVar('stock-ledger')]: tables['stock-ledger'],
      POWERTOOLS_SERVICE_NAME: 'inventory-transformer',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test('runs outside the repository and applies two movements to DynamoDB', async () => {
    // Prepare
    const sku = 'SKU-BUNDLE-SMOKE';
    const warehouse = 'WH-BER-1';
    const movements = [
      movement('inventory.received', 12, { sku, warehouse_id: warehouse, reorder_point: 5 }),
      movement('inventory.reserved', 4, { sku, warehouse_id: warehouse }),
    ];
    const event = kinesisEvent(
      movements.map((m) => jsonRecord(m, { stream: 'inventory', partitionKey: `${sku}#${warehouse}` })),
    );

    // Act
    const { response, packagesReachable, stdout } = await invokeBundle(event);

    // Assess
    expect(packagesReachable).toBe(false);
    expect(response).toEqual({ batchItemFailures: [] });
    const stock = await emulators.documents.send(
      new GetCommand({ TableName: tables.stock, Key: { sku, warehouse_id: warehouse } }),
    );
    expect(stock.Item).toMatchObject({
      on_hand: 12,
      reserved: 4,
      available: 8,
      headroom: 3,
      last_event_id: movements[1].event_id,
    });
    for (const m of movements) {
      const ledger = await emulators.documents.send(
        new GetCommand({ TableName: tables['stock-ledger'], Key: { event_id: m.event_id } }),
      );
      expect(ledger.Item).toMatchObject({ event_id: m.event_id, sku });
    }
    // The counts went out as EMF on stdout, as Lambda would ship them to CloudWatch.
    expect(stdout).toMatch(/"received":2/);
    expect(stdout).toMatch(/"applied":2/);
  });
});
