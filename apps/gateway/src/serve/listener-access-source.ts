/**
 * Where the listeners of one process get their Grant/Deny overrides: the server settings in the
 * directory (admin/listener-access.ts), read at each accepted connection. The file store answers
 * from its stat-checked cache, so a change is seen by the next connection; a Redis directory is
 * asked at most once per `ttlMs` so that connections do not each cost a round trip.
 */
import type { DirectoryStore } from '@portcullis/auth-core';
import type { AccessRule } from '@portcullis/listener';
import { listenerAccessFrom, type ListenerAccessMap } from '../admin/listener-access.js';

export function listenerAccessSource(store: Pick<DirectoryStore, 'getServerSettings'>, ttlMs: number): (name: string) => () => Promise<AccessRule | undefined> {
  let current: { at: number; map: ListenerAccessMap } | undefined;
  let reading: Promise<ListenerAccessMap> | undefined;
  const overrides = async (): Promise<ListenerAccessMap> => {
    if (current && Date.now() - current.at < ttlMs) return current.map;
    // concurrent connections share one read
    reading ??= store
      .getServerSettings()
      .then((settings) => {
        const map = listenerAccessFrom(settings);
        current = { at: Date.now(), map };
        return map;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return (name) => async () => (await overrides())[name];
}
