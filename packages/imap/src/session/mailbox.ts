/**
 * What the built-in store answers about a mailbox's contents: every mailbox is empty. Enough for a
 * client to log in, list, select and manage ACLs, and for the real store (or a relay) to take
 * this module's place later.
 */
import { astring } from '../codec/index.js';
import { DELIMITER } from '../store/mailbox-names.js';

/** The mailboxes are always empty, so no UID is ever handed out. */
export const UIDNEXT = 1;
export const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

export type StatusItem = 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE';

/** A STATUS item's value for an empty mailbox, undefined for an unknown item. */
export function statusValue(item: string, uidValidity: number): number | undefined {
  const values: Record<StatusItem, number> = {
    MESSAGES: 0,
    RECENT: 0,
    UIDNEXT,
    UIDVALIDITY: uidValidity,
    UNSEEN: 0,
    DELETED: 0,
    SIZE: 0,
  };
  const key = item.toUpperCase();
  return Object.hasOwn(values, key) ? values[key as StatusItem] : undefined;
}

/** The untagged lines of SELECT/EXAMINE for an empty mailbox, named as the client named it. */
export function selectResponses(name: string, uidValidity: number, readOnly: boolean): string[] {
  return [
    `FLAGS (${SYSTEM_FLAGS})`,
    readOnly
      ? 'OK [PERMANENTFLAGS ()] No permanent flags permitted'
      : `OK [PERMANENTFLAGS (${SYSTEM_FLAGS} \\*)] Flags permitted`,
    '0 EXISTS',
    '0 RECENT',
    `OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
    `OK [UIDNEXT ${UIDNEXT}] Predicted next UID`,
    `LIST () "${DELIMITER}" ${astring(name)}`,
  ];
}
