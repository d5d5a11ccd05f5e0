/** What the primary and its workers say to each other over node:cluster IPC (besides the cache's own messages). */
import type { ListenerRow } from './listener-table.js';

export const WORKER_READY = 'portcullis:worker-ready';
export const METRICS_REQUEST = 'portcullis:metrics-request';
export const METRICS_RESPONSE = 'portcullis:metrics-response';

export interface WorkerReady {
  type: typeof WORKER_READY;
  listeners: ListenerRow[];
}

export interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

export type MetricsResponse = { type: typeof METRICS_RESPONSE; id: number } & ({ ok: true; text: string } | { ok: false; error: string });

function typed(message: unknown, type: string): message is Record<string, unknown> {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

export function isWorkerReady(m: unknown): m is WorkerReady {
  return typed(m, WORKER_READY) && Array.isArray(m['listeners']);
}

export function isMetricsRequest(m: unknown): m is MetricsRequest {
  return typed(m, METRICS_REQUEST) && typeof m['id'] === 'number';
}

export function isMetricsResponse(m: unknown): m is MetricsResponse {
  return typed(m, METRICS_RESPONSE) && typeof m['id'] === 'number';
}
