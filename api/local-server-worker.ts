/**
 * One worker process of the local API (api/local-server.ts, `workers` > 1): forked by startLocalApi
 * with tsx's loader, it is given its settings in an `init` message, builds the same request path as
 * the one-process server (createRequestListener: SigV4, api key, createApiHandler) with its own
 * DynamoDB document client and the shared page-token key, and answers `ready`. The primary then sends
 * it accepted connections (`connection` messages carrying the socket); its warehouse calls go back to
 * the primary over IPC (api/warehouse-ipc.ts). When the primary disconnects (close(), or its exit), it
 * closes its connections and exits. Not meant to be run by hand.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { type ApiLogger, createApiHandler } from '../lambdas/api/api-handler';
import { PageTokens } from '../lambdas/api/page-token';
import {
  type LocalApiWorkerConfig,
  type PrimaryMessage,
  type WorkerMessage,
  createRequestListener,
} from './local-server';
import { WarehouseIpcClient, isWarehouseReply } from './warehouse-ipc';

function main(): void {
  const send = process.send?.bind(process);
  if (!send) {
    console.error('api/local-server-worker.ts is started by startLocalApi({ workers: N }), not by hand.');
    process.exit(2);
  }
  const post = (m: WorkerMessage | Parameters<WarehouseIpcClient['receive']>[0] | object): void => {
    if (process.connected) send(m);
  };
  const warehouse = new WarehouseIpcClient((request) => post(request));
  let server: Server | undefined;
  let client: DynamoDBClient | undefined;

  const init = (config: LocalApiWorkerConfig): void => {
    const { dynamo } = config;
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: dynamo.region,
      credentials: dynamo.credentials,
      maxAttempts: dynamo.maxAttempts ?? 3,
    });
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: dynamo.translateConfig?.marshallOptions,
      unmarshallOptions: dynamo.translateConfig?.unmarshallOptions,
    });
    const logger: ApiLogger | undefined = config.log
      ? {
          info: (message, extra) => post({ kind: 'log', level: 'info', message, extra }),
          error: (message, extra) => post({ kind: 'log', level: 'error', message, extra }),
        }
      : undefined;
    const handler = createApiHandler(
      {
        warehouse,
        documents,
        tables: config.tables,
        pageTokens: new PageTokens(config.pageTokenKey),
      },
      { logger },
    );
    server = createServer(createRequestListener(config.check, handler, logger));
    post({ kind: 'ready' });
  };

  process.on('message', (m: unknown, handle?: unknown) => {
    if (isWarehouseReply(m)) warehouse.receive(m);
    else if ((m as PrimaryMessage).kind === 'connection') {
      const socket = handle as Socket | undefined;
      if (socket && server) server.emit('connection', socket);
      else socket?.destroy();
    } else if ((m as PrimaryMessage).kind === 'init')
      init((m as Extract<PrimaryMessage, { kind: 'init' }>).config);
  });
  process.once('disconnect', () => {
    warehouse.failAll('the local API closed');
    server?.closeAllConnections();
    server?.close();
    client?.destroy();
    process.exit(0);
  });
}

main();
