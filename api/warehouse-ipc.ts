/**
 * The warehouse of the local API's worker processes (api/local-server.ts, `workers` > 1), reached over
 * the IPC channel of `child_process.fork`: the warehouse (the twin's LocalWarehouse, one DuckDB
 * connection) lives in the primary process only, so a worker's {@link WarehouseQueries} sends each
 * `run` and `poll` to the primary with an id, and the primary answers it with the same id:
 *
 *   worker → primary   { kind: 'warehouse', id, op: 'run', query, values } | { kind: 'warehouse', id, op: 'poll', queryId }
 *   primary → worker   { kind: 'warehouse-reply', id, ok: true, value }     (the QueryOutcome or PollOutcome)
 *                      { kind: 'warehouse-reply', id, ok: false, error }    (the error, rebuilt in the worker)
 *
 * A WarehouseQueryError (502 query-failed) and an ApiProblem are rebuilt as such in the worker, any
 * other error as an Error of the same name and message (500 internal), so the handler answers exactly
 * as it does with the warehouse in its own process. The channel uses the `advanced` serialization
 * (structured clone), so row values cross it unchanged.
 */
import { ApiProblem, type InvalidParam, type ProblemKind } from '../lambdas/api/problems';
import type { QueryName } from '../lambdas/api/queries/registry';
import {
  type PollOutcome,
  type QueryOutcome,
  type WarehouseQueries,
  WarehouseQueryError,
} from '../lambdas/api/warehouse';

/** A warehouse call, worker → primary. */
export type WarehouseRequest =
  | {
      readonly kind: 'warehouse';
      readonly id: number;
      readonly op: 'run';
      readonly query: QueryName;
      readonly values: Readonly<Record<string, string | number>>;
    }
  | { readonly kind: 'warehouse'; readonly id: number; readonly op: 'poll'; readonly queryId: string };

/** An error as it crosses the channel. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly queryId?: string;
  readonly problem?: {
    readonly kind: ProblemKind;
    readonly detail: string;
    readonly invalidParams?: readonly InvalidParam[];
  };
}

/** Its answer, primary → worker. */
export type WarehouseReply =
  | {
      readonly kind: 'warehouse-reply';
      readonly id: number;
      readonly ok: true;
      readonly value: QueryOutcome | PollOutcome;
    }
  | { readonly kind: 'warehouse-reply'; readonly id: number; readonly ok: false; readonly error: WireError };

export function isWarehouseRequest(m: unknown): m is WarehouseRequest {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'warehouse';
}

export function isWarehouseReply(m: unknown): m is WarehouseReply {
  return typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'warehouse-reply';
}

function toWire(e: unknown): WireError {
  if (e instanceof ApiProblem)
    return {
      name: e.name,
      message: e.message,
      problem: { kind: e.kind, detail: e.detail, invalidParams: e.invalidParams },
    };
  if (e instanceof WarehouseQueryError) return { name: e.name, message: e.message, queryId: e.queryId };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

function fromWire(w: WireError): Error {
  if (w.problem) return new ApiProblem(w.problem.kind, w.problem.detail, w.problem.invalidParams);
  if (w.name === 'WarehouseQueryError') return new WarehouseQueryError(w.message, w.queryId);
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}

/**
 * The primary's side: runs one worker's warehouse call on the primary's warehouse and sends the
 * reply (`send` is the worker's `ChildProcess.send`; a worker gone meanwhile gets nothing).
 */
export async function answerWarehouseRequest(
  warehouse: WarehouseQueries,
  request: WarehouseRequest,
  send: (reply: WarehouseReply) => void,
): Promise<void> {
  let reply: WarehouseReply;
  try {
    const value =
      request.op === 'run'
        ? await warehouse.run(request.query, request.values)
        : await warehouse.poll(request.queryId);
    reply = { kind: 'warehouse-reply', id: request.id, ok: true, value };
  } catch (e) {
    reply = { kind: 'warehouse-reply', id: request.id, ok: false, error: toWire(e) };
  }
  send(reply);
}

/** The worker's side: a {@link WarehouseQueries} whose calls the primary answers. */
export class WarehouseIpcClient implements WarehouseQueries {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: QueryOutcome | PollOutcome) => void; reject: (e: Error) => void }
  >();

  /** `send`: the worker's `process.send`. Feed every reply to {@link WarehouseIpcClient.receive}. */
  constructor(private readonly send: (request: WarehouseRequest) => void) {}

  private call(
    request:
      | { op: 'run'; query: QueryName; values: Readonly<Record<string, string | number>> }
      | { op: 'poll'; queryId: string },
  ): Promise<QueryOutcome | PollOutcome> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.send({ ...request, kind: 'warehouse', id });
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  run(query: QueryName, values: Readonly<Record<string, string | number>>): Promise<QueryOutcome> {
    return this.call({ op: 'run', query, values }) as Promise<QueryOutcome>;
  }

  poll(queryId: string): Promise<PollOutcome> {
    return this.call({ op: 'poll', queryId }) as Promise<PollOutcome>;
  }

  /** Settles the call a reply answers. */
  receive(reply: WarehouseReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(fromWire(reply.error));
  }

  /** Fails every call still waiting (the channel to the primary closed). */
  failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}
