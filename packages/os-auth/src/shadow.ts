/**
 * /etc/shadow lookups. The file is read at each check (it is small, and a password changed with
 * passwd(1) must count at the next login); only the asked-for user's line is kept.
 */
import { readFile } from 'node:fs/promises';

export interface ShadowEntry {
  user: string;
  /** the hash field; may be empty, `*`, `!` or `!<hash>` (locked) */
  hash: string;
  /** days since 1970-01-01 after which the account is expired; undefined when unset */
  expireDay: number | undefined;
}

export function parseShadowLine(line: string): ShadowEntry | undefined {
  const fields = line.split(':');
  if (fields.length < 2 || fields[0] === '') return undefined;
  const expire = fields[7];
  const expireDay = expire !== undefined && /^\d+$/.test(expire) ? Number(expire) : undefined;
  return { user: fields[0]!, hash: fields[1]!, expireDay };
}

export async function findShadowEntry(file: string, user: string): Promise<ShadowEntry | undefined> {
  const text = await readFile(file, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${user}:`)) continue;
    return parseShadowLine(line);
  }
  return undefined;
}

/** A hash that can log in: not empty, not locked (`!`), not disabled (`*`, `!!`). */
export function usableHash(entry: ShadowEntry, now: Date = new Date()): string | undefined {
  const { hash, expireDay } = entry;
  if (hash.length === 0 || hash.startsWith('!') || hash.startsWith('*')) return undefined;
  if (expireDay !== undefined && Math.floor(now.getTime() / 86_400_000) >= expireDay) return undefined;
  return hash;
}
