/**
 * Process-wide connection accounting, for the gateway's metrics endpoint: a live count per service
 * and events for anyone who wants more (durations, refusals).
 */
import { EventEmitter } from 'node:events';

export interface ConnectionEvent {
  /** the connection id (also in its log lines) */
  id: string;
  service: string;
  remoteAddress: string;
}

export type RefusalReason = 'deny' | 'untrusted-proxy' | 'bad-proxy-header' | 'proxy-timeout';

export interface ListenerEventMap {
  /** accepted and handed to the protocol handler */
  open: [ConnectionEvent];
  /** closed, whatever the cause; follows exactly one 'open' */
  close: [ConnectionEvent];
  /** closed before the handler saw it */
  refused: [{ service: string; remoteAddress: string; reason: RefusalReason }];
}

export const listenerEvents = new EventEmitter<ListenerEventMap>();

const open = new Map<string, number>();
let refusedTotal = 0;

export function recordOpen(event: ConnectionEvent): void {
  open.set(event.service, (open.get(event.service) ?? 0) + 1);
  listenerEvents.emit('open', event);
}

export function recordClose(event: ConnectionEvent): void {
  open.set(event.service, Math.max(0, (open.get(event.service) ?? 0) - 1));
  listenerEvents.emit('close', event);
}

export function recordRefused(service: string, remoteAddress: string, reason: RefusalReason): void {
  refusedTotal++;
  listenerEvents.emit('refused', { service, remoteAddress, reason });
}

/** open connections per service, right now */
export function openConnections(): Record<string, number> {
  return Object.fromEntries(open);
}

/** connections refused (Grant/Deny, PROXY problems) since start */
export function refusedConnections(): number {
  return refusedTotal;
}
