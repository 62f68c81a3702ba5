/**
 * The in-process emulators of the local twin: kinesalite for Kinesis and dynalite for DynamoDB, both
 * kept in memory and reached by the real AWS SDK v3 clients. Streams and tables are created from the
 * same definitions the CDK stacks use (lib/streams, lib/tables), so no key schema is written twice.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  CreateTableCommand,
  CreateTableCommandInput,
  DynamoDBClient,
  GlobalSecondaryIndex,
  KeySchemaElement,
  Projection,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TABLES, TableDefinition, TableId, tableName } from '../lib/tables/table-definitions';
import { STREAMS, StreamId, streamName } from '../lib/streams/stream-definitions';

// kinesalite and dynalite ship no type definitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (opts: Record<string, unknown>) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

/** Running emulators and SDK clients bound to them. */
export interface Emulators {
  readonly kinesisEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly kinesis: KinesisClient;
  readonly dynamo: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** The process ids of the emulators, when each runs in a child process of its own. */
  readonly pids?: Readonly<Record<'kinesalite' | 'dynalite', number>>;
  /** Stops both emulators and releases the clients. */
  stop(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A Kinesis client for an endpoint. kinesalite speaks HTTP/1.1 only, hence the Node HTTP handler. */
export function localKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 3,
  });
}

/** A DynamoDB client for an endpoint. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
}

/** The document client the transformers use, with the marshalling options they rely on. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Starts kinesalite and dynalite in memory on free loopback ports. */
export async function startEmulators(): Promise<Emulators> {
  const kinesisServer = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 1000,
  });
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [kinesisEndpoint, dynamoEndpoint] = await Promise.all([listen(kinesisServer), listen(dynamoServer)]);
  const kinesis = localKinesisClient(kinesisEndpoint);
  const dynamo = localDynamoClient(dynamoEndpoint);
  const documents = documentClient(dynamo);
  return {
    kinesisEndpoint,
    dynamoEndpoint,
    kinesis,
    dynamo,
    documents,
    async stop() {
      kinesis.destroy();
      dynamo.destroy();
      await Promise.all([close(kinesisServer), close(dynamoServer)]);
    },
  };
}

/** The CreateTable input of a table definition (on-demand billing, as the emulator ignores capacity). */
export function createTableInput(def: TableDefinition, name: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const key = (a: { name: string; type: 'S' | 'N' }, type: 'HASH' | 'RANGE'): KeySchemaElement => {
    attributes.set(a.name, a.type);
    return { AttributeName: a.name, KeyType: type };
  };
  const keySchema = [key(def.partitionKey, 'HASH'), ...(def.sortKey ? [key(def.sortKey, 'RANGE')] : [])];
  const gsis: GlobalSecondaryIndex[] = def.globalIndexes.map((gsi) => {
    const projection: Projection =
      gsi.projection === 'ALL' || gsi.projection === 'KEYS_ONLY'
        ? { ProjectionType: gsi.projection }
        : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gsi.projection] };
    return {
      IndexName: gsi.indexName,
      KeySchema: [key(gsi.partitionKey, 'HASH'), ...(gsi.sortKey ? [key(gsi.sortKey, 'RANGE')] : [])],
      Projection: projection,
    };
  });
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
  };
}

/** Creates every platform table in the emulator; returns the physical names by logical id. */
export async function createTables(dynamo: DynamoDBClient, prefix: string): Promise<Record<TableId, string>> {
  const names = {} as Record<TableId, string>;
  for (const def of Object.values(TABLES)) {
    const name = tableName(prefix, def.id);
    await dynamo.send(new CreateTableCommand(createTableInput(def, name)));
    names[def.id] = name;
  }
  return names;
}

/** Creates every platform stream with the given shard counts; returns the physical names by id. */
export async function createStreams(
  kinesis: KinesisClient,
  prefix: string,
  shardCount: (id: StreamId) => number,
): Promise<Record<StreamId, string>> {
  const names = {} as Record<StreamId, string>;
  for (const def of Object.values(STREAMS)) {
    const name = streamName(prefix, def.id);
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount(def.id) }));
    names[def.id] = name;
  }
  for (const name of Object.values(names)) {
    for (;;) {
      const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return names;
}

/**
 * The program of an emulator's child process: the emulator named by its first argument (`kinesalite`
 * or `dynalite`) on a free loopback port, printed as one line once it listens.
 */
const CHILD_EMULATOR = `
const name = process.argv[1];
const options = { kinesalite: { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 },
  dynalite: { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 } }[name];
const server = require(name)(options);
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Starts one emulator in its own child process; resolves with the process and its port. */
async function startChildEmulator(
  name: 'kinesalite' | 'dynalite',
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', CHILD_EMULATOR, name], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`the ${name} process exited with ${String(code)}`)));
  });
  return { child, port };
}

/** Ends a child emulator and waits for it to exit. */
async function stopChildEmulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill();
  await exited;
}

/**
 * The same emulators, each in a child process of its own (the benchmarks' lever): their work then runs
 * beside the caller's thread instead of on it, and a Kinesis call never waits in line behind the
 * DynamoDB calls of the transformers (both emulators are single-threaded). `stop()` ends both.
 */
export async function startEmulatorsInChildProcess(): Promise<Emulators> {
  const started = await Promise.allSettled([
    startChildEmulator('kinesalite'),
    startChildEmulator('dynalite'),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // Leave no process behind when one of the two did not start.
    await Promise.all(
      started.map((s) => (s.status === 'fulfilled' ? stopChildEmulator(s.value.child) : undefined)),
    );
    throw failed.reason;
  }
  const [k, d] = started.map(
    (s) => (s as PromiseFulfilledResult<{ child: ChildProcess; port: number }>).value,
  );
  const kinesisEndpoint = `http://127.0.0.1:${k.port}`;
  const dynamoEndpoint = `http://127.0.0.1:${d.port}`;
  const kinesis = localKinesisClient(kinesisEndpoint);
  const dynamo = localDynamoClient(dynamoEndpoint);
  return {
    kinesisEndpoint,
    dynamoEndpoint,
    kinesis,
    dynamo,
    documents: documentClient(dynamo),
    ...(k.child.pid !== undefined && d.child.pid !== undefined
      ? { pids: { kinesalite: k.child.pid, dynalite: d.child.pid } }
      : {}),
    async stop() {
      kinesis.destroy();
      dynamo.destroy();
      await Promise.all([stopChildEmulator(k.child), stopChildEmulator(d.child)]);
    },
  };
}
