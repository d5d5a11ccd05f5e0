/** Calls to the gateway's admin API (/api/v1) and its WebUser sessions with Node's fetch, for the admin API tests. */
import { expect } from 'vitest';

export interface ApiReply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test replies are checked field by field
  json: any;
}

/** An HTTP Basic authorization header value. */
export function basicAuth(who: { address: string; password: string }): string {
  return `Basic ${Buffer.from(`${who.address}:${who.password}`).toString('base64')}`;
}

/** One request to http://127.0.0.1:<port>/api/v1<url>; `json` is null when the body is not JSON. */
export async function adminApi(port: number, method: string, url: string, auth: string | null, body?: unknown): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (auth) headers['authorization'] = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: r.status, text, json };
}

/** A WebUser session opened by POST /session with the account's password, as an outside client does; its ID. */
export async function openWebSession(port: number, who: { address: string; password: string }): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: who.address, password: who.password }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { sessionId: string }).sessionId;
}

/** GET /session with the ID as a Bearer token: 200 while the session is open. */
export async function webSessionStatus(port: number, id: string): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/session`, { headers: { authorization: `Bearer ${id}` } });
  await r.arrayBuffer();
  return r.status;
}
