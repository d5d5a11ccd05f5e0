/**
 * The built-in mail store: one empty INBOX. Enough for a client to log in, list and select, and
 * for the real store (or a relay) to take this module's place later.
 */

export const DELIMITER = '/';
export const INBOX = 'INBOX';
/** Fixed: the mailbox is always empty, so no UID can ever be reused under it. */
export const UIDVALIDITY = 1;
export const UIDNEXT = 1;
export const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

/** INBOX is case-insensitive (RFC 9051 5.1); every other name is compared as given. */
export function isInbox(name: string): boolean {
  return name.toUpperCase() === INBOX;
}

/**
 * RFC 9051 6.3.9: `*` matches anything, `%` anything but the hierarchy delimiter. The reference
 * is prefixed to the pattern; INBOX's own letters match case-insensitively.
 */
export function listMatchesInbox(reference: string, pattern: string): boolean {
  const full = pattern.startsWith(DELIMITER) ? pattern : reference + pattern;
  let re = '^';
  for (const ch of full) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += '[^/]*';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  re += '$';
  return new RegExp(re, 'i').test(INBOX);
}

export type StatusItem = 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE';

const STATUS_VALUES: Record<StatusItem, number> = {
  MESSAGES: 0,
  RECENT: 0,
  UIDNEXT,
  UIDVALIDITY,
  UNSEEN: 0,
  DELETED: 0,
  SIZE: 0,
};

export function statusValue(item: string): number | undefined {
  const key = item.toUpperCase();
  return Object.hasOwn(STATUS_VALUES, key) ? STATUS_VALUES[key as StatusItem] : undefined;
}

/** The untagged lines of SELECT/EXAMINE for the empty INBOX. */
export function selectResponses(readOnly: boolean): string[] {
  return [
    `FLAGS (${SYSTEM_FLAGS})`,
    readOnly
      ? 'OK [PERMANENTFLAGS ()] No permanent flags permitted'
      : `OK [PERMANENTFLAGS (${SYSTEM_FLAGS} \\*)] Flags permitted`,
    '0 EXISTS',
    '0 RECENT',
    `OK [UIDVALIDITY ${UIDVALIDITY}] UIDs valid`,
    `OK [UIDNEXT ${UIDNEXT}] Predicted next UID`,
    `LIST () "${DELIMITER}" ${INBOX}`,
  ];
}
