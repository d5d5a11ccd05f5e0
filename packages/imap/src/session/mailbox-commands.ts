/**
 * The authenticated-state mailbox commands over the MailboxStore: NAMESPACE, LIST, LSUB, CREATE,
 * DELETE, RENAME, SELECT, EXAMINE, STATUS, SUBSCRIBE, UNSUBSCRIBE. Every mailbox is empty; what
 * exists is names, UIDVALIDITYs and ACLs. Rights (RFC 4314 section 4): LIST shows a mailbox
 * with l, SELECT/EXAMINE/STATUS need r, CREATE needs k on the parent, DELETE x, RENAME x on
 * the old name and k on the new parent; the owner has every right on its own mailboxes.
 */
import { asAString, asAtom, asList, astring, untagged, type ImapCommand, type ImapValue } from '../codec/index.js';
import { createMailbox, deleteMailbox, mailboxExists, renameMailbox } from '../store/mailbox-document.js';
import { DELIMITER, INBOX, listPattern, OTHER_USERS, parentOf } from '../store/mailbox-names.js';
import { nonexistent, refuse, type CommandContext } from './command-context.js';
import { mayReachOtherUsers, type OpenedMailbox, type VisibleMailbox } from './mailbox-access.js';
import { selectResponses, statusValue } from './mailbox.js';

export const MAILBOX_COMMANDS = new Set([
  'NAMESPACE', 'LIST', 'LSUB', 'CREATE', 'DELETE', 'RENAME', 'SELECT', 'EXAMINE', 'STATUS', 'SUBSCRIBE', 'UNSUBSCRIBE',
]);

/** RFC 2342: personal "" and Other Users, both with "/"; no public namespace. */
export const NAMESPACE_RESPONSE = `NAMESPACE (("" "${DELIMITER}")) ((${astring(OTHER_USERS + DELIMITER)} "${DELIMITER}")) NIL`;

interface ListEntry {
  name: string;
  noselect: boolean;
}

/**
 * The names LIST can show: the visible mailboxes plus, for other accounts', the levels above them
 * (Other Users, Other Users/<owner>, and parents the viewer may not look up) as \Noselect, so
 * that a client walking the hierarchy with % reaches them.
 */
function listEntries(visible: VisibleMailbox[]): ListEntry[] {
  const entries = new Map<string, ListEntry>();
  for (const m of visible) entries.set(m.external, { name: m.external, noselect: false });
  for (const m of visible) {
    if (m.external === m.name) continue;
    for (let p = parentOf(m.external); p !== null; p = parentOf(p)) {
      if (!entries.has(p)) entries.set(p, { name: p, noselect: true });
    }
  }
  // INBOX first, then by name, so that a parent comes before its children
  return [...entries.values()].sort((a, b) => (a.name === INBOX ? -1 : b.name === INBOX ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every name that has at least one name below it (one pass, not one scan per name). */
function namesWithChildren(names: Iterable<string>): Set<string> {
  const parents = new Set<string>();
  for (const n of names) for (let p = parentOf(n); p !== null && !parents.has(p); p = parentOf(p)) parents.add(p);
  return parents;
}

export async function mailboxCommand(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  switch (cmd.name) {
    case 'NAMESPACE':
      if (cmd.args.length) return ctx.bad(cmd.tag, 'NAMESPACE takes no arguments');
      ctx.write(untagged(NAMESPACE_RESPONSE));
      return ctx.reply(cmd.tag, 'OK', 'NAMESPACE completed');
    case 'LIST':
    case 'LSUB':
      return list(ctx, cmd);
    case 'CREATE':
      return create(ctx, cmd);
    case 'DELETE':
      return remove(ctx, cmd);
    case 'RENAME':
      return rename(ctx, cmd);
    case 'SELECT':
    case 'EXAMINE':
      return select(ctx, cmd);
    case 'STATUS':
      return status(ctx, cmd);
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      return subscribe(ctx, cmd);
  }
  return ctx.bad(cmd.tag, 'unknown command');
}

/** The single mailbox-name argument of `cmd`, or null after answering BAD. */
async function oneMailbox(ctx: CommandContext, cmd: ImapCommand): Promise<string | null> {
  const mailbox = asAString(cmd.args[0]);
  if (mailbox === null || cmd.args.length !== 1) {
    await ctx.bad(cmd.tag, `${cmd.name} expects a mailbox name`);
    return null;
  }
  return mailbox;
}

/** The mailbox `input` names when it exists and the viewer holds r on it, or null after answering NO. */
async function openReadable(ctx: CommandContext, tag: string, input: string): Promise<OpenedMailbox | null> {
  const ref = ctx.access.resolve(input);
  const opened = ref.kind === 'mailbox' ? await ctx.access.open(ref.owner, ref.name) : null;
  if (!opened) {
    nonexistent(ctx, tag);
    return null;
  }
  if (!opened.rights.includes('r')) {
    refuse(ctx, tag, opened.rights, 'r');
    return null;
  }
  return opened;
}

async function list(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const { tag, name } = cmd;
  let args: ImapValue[] = cmd.args;
  // LIST-EXTENDED (RFC 5258): selection options before, RETURN options after; both ignored here
  if (name === 'LIST' && args[0]?.type === 'list') args = args.slice(1);
  if (name === 'LIST' && args.length === 4 && asAtom(args[2])?.toUpperCase() === 'RETURN' && args[3]?.type === 'list') {
    args = args.slice(0, 2);
  }
  const reference = asAString(args[0]);
  const patternArg = args[1];
  const patterns = patternArg?.type === 'list' && name === 'LIST' ? patternArg.items.map((v) => asAString(v)) : [asAString(patternArg)];
  if (reference === null || args.length !== 2 || patterns.length === 0 || patterns.some((p) => p === null)) {
    return ctx.bad(tag, `${name} expects a reference and a mailbox pattern`);
  }
  const pats = patterns as string[];
  if (pats.length === 1 && pats[0] === '') {
    // the hierarchy delimiter and root of the reference
    ctx.write(untagged(`${name} (\\Noselect) "${DELIMITER}" ""`));
    return ctx.reply(tag, 'OK', `${name} completed`);
  }
  const full = pats.map((p) => (p.startsWith(DELIMITER) ? p : reference + p));
  const matchers = pats.map((p) => listPattern(reference, p));
  const entries = listEntries(await ctx.access.visible(full.some(mayReachOtherUsers)));
  const parents = namesWithChildren(entries.map((e) => e.name));
  let out = '';
  for (const entry of entries) {
    if (!matchers.some((m) => m(entry.name))) continue;
    if (name === 'LSUB') {
      // every mailbox the viewer can see counts as subscribed; the levels above others' do not
      if (!entry.noselect) out += untagged(`LSUB () "${DELIMITER}" ${astring(entry.name)}`);
      continue;
    }
    const attrs = [entry.noselect ? '\\Noselect' : '', parents.has(entry.name) ? '\\HasChildren' : '\\HasNoChildren'];
    out += untagged(`LIST (${attrs.filter(Boolean).join(' ')}) "${DELIMITER}" ${astring(entry.name)}`);
  }
  if (out) ctx.write(out);
  return ctx.reply(tag, 'OK', `${name} completed`);
}

async function create(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const input = await oneMailbox(ctx, cmd);
  if (input === null) return;
  const ref = ctx.access.resolve(input);
  if (ref.kind === 'invalid') return ctx.reply(cmd.tag, 'NO', ref.reason, 'CANNOT');
  if (ref.kind === 'namespace') return ctx.reply(cmd.tag, 'NO', `${OTHER_USERS} and the accounts in it cannot be created`, 'CANNOT');
  const { owner, name } = ref;
  const own = owner === ctx.access.viewer;
  const subject = own ? null : await ctx.access.subject();
  const result = await ctx.access.store.updateMailboxes(owner, (doc) => {
    if (subject) {
      // k on the parent, checked on the document that is written
      const parent = parentOf(name);
      if (mailboxExists(doc, name)) {
        return { next: null, result: ctx.access.rightsIn(doc, owner, name, subject).length ? 'exists' : 'nonexistent-parent' };
      }
      const rights = parent !== null && mailboxExists(doc, parent) ? ctx.access.rightsIn(doc, owner, parent, subject) : '';
      if (!rights.includes('k')) return { next: null, result: rights.length ? 'noperm' : 'nonexistent-parent' };
    }
    return createMailbox(doc, name);
  });
  switch (result) {
    case 'created':
      return ctx.reply(cmd.tag, 'OK', 'CREATE completed');
    case 'exists':
      return ctx.reply(cmd.tag, 'NO', 'mailbox already exists', 'ALREADYEXISTS');
    case 'too-many':
      return ctx.reply(cmd.tag, 'NO', 'too many mailboxes', 'LIMIT');
    case 'noperm':
      return ctx.reply(cmd.tag, 'NO', 'permission denied: the k right on the parent mailbox is needed', 'NOPERM');
    case 'nonexistent-parent':
      return ctx.reply(cmd.tag, 'NO', 'permission denied: no mailbox above it grants the k right', 'NOPERM');
  }
}

async function remove(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const input = await oneMailbox(ctx, cmd);
  if (input === null) return;
  const ref = ctx.access.resolve(input);
  if (ref.kind !== 'mailbox') return nonexistent(ctx, cmd.tag);
  const { result, rights } = await ctx.access.updateIfAllowed(ref.owner, ref.name, 'x', (doc) => deleteMailbox(doc, ref.name));
  switch (result) {
    case 'deleted':
      return ctx.reply(cmd.tag, 'OK', 'DELETE completed');
    case 'nonexistent':
      return nonexistent(ctx, cmd.tag);
    case 'noperm':
      return refuse(ctx, cmd.tag, rights, 'x');
    case 'inbox':
      return ctx.reply(cmd.tag, 'NO', 'INBOX cannot be deleted', 'CANNOT');
    case 'has-children':
      return ctx.reply(cmd.tag, 'NO', 'delete the mailboxes below it first', 'HASCHILDREN');
  }
}

async function rename(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const fromInput = asAString(cmd.args[0]);
  const toInput = asAString(cmd.args[1]);
  if (fromInput === null || toInput === null || cmd.args.length !== 2) return ctx.bad(cmd.tag, 'RENAME expects two mailbox names');
  const from = ctx.access.resolve(fromInput);
  const to = ctx.access.resolve(toInput);
  if (from.kind !== 'mailbox') return nonexistent(ctx, cmd.tag);
  if (to.kind === 'invalid') return ctx.reply(cmd.tag, 'NO', to.reason, 'CANNOT');
  if (to.kind !== 'mailbox' || to.owner !== from.owner) {
    return ctx.reply(cmd.tag, 'NO', "a mailbox can only be renamed within its owner's mailboxes", 'CANNOT');
  }
  const owner = from.owner;
  const { result, rights } = await ctx.access.updateIfAllowed(owner, from.name, 'x', (doc, subject) => {
    if (owner !== ctx.access.viewer) {
      const parent = parentOf(to.name);
      const parentRights = parent !== null && mailboxExists(doc, parent) ? ctx.access.rightsIn(doc, owner, parent, subject) : '';
      if (!parentRights.includes('k')) return { next: null, result: 'noperm-target' as const };
    }
    return renameMailbox(doc, from.name, to.name);
  });
  switch (result) {
    case 'renamed':
      return ctx.reply(cmd.tag, 'OK', 'RENAME completed');
    case 'nonexistent':
      return nonexistent(ctx, cmd.tag);
    case 'noperm':
      return refuse(ctx, cmd.tag, rights, 'x');
    case 'noperm-target':
      return ctx.reply(cmd.tag, 'NO', 'permission denied: the k right on the new parent mailbox is needed', 'NOPERM');
    case 'inbox':
      return ctx.reply(cmd.tag, 'NO', 'INBOX cannot be renamed here, nor replaced', 'CANNOT');
    case 'exists':
      return ctx.reply(cmd.tag, 'NO', 'a mailbox with the new name already exists', 'ALREADYEXISTS');
    case 'into-itself':
      return ctx.reply(cmd.tag, 'NO', 'a mailbox cannot be moved below itself', 'CANNOT');
    case 'too-many':
      return ctx.reply(cmd.tag, 'NO', 'too many mailboxes', 'LIMIT');
  }
}

async function select(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const { tag, name, args } = cmd;
  const input = asAString(args[0]);
  // an optional parameter list (e.g. CONDSTORE) is accepted and ignored
  if (input === null || args.length > 2 || (args.length === 2 && args[1]?.type !== 'list')) {
    return ctx.bad(tag, `${name} expects a mailbox name`);
  }
  // a failed SELECT leaves no mailbox selected (RFC 9051 6.3.2)
  ctx.select(null);
  const opened = await openReadable(ctx, tag, input);
  if (!opened) return;
  // RFC 4314 4: read-only unless some right lets the session change something in it
  const readOnly = name === 'EXAMINE' || !/[siwte]/.test(opened.rights);
  ctx.write(selectResponses(opened.external, opened.record.uidValidity, readOnly).map(untagged).join(''));
  ctx.select({ owner: opened.owner, name: opened.name, external: opened.external, readOnly });
  return ctx.reply(tag, 'OK', `${name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
}

async function status(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const { tag, args } = cmd;
  const input = asAString(args[0]);
  const items = asList(args[1]);
  if (input === null || !items || items.length === 0 || args.length !== 2) {
    return ctx.bad(tag, 'STATUS expects a mailbox name and a list of items');
  }
  const keys: string[] = [];
  for (const item of items) {
    const key = asAtom(item);
    if (key === null || statusValue(key, 1) === undefined) return ctx.bad(tag, 'unknown STATUS item');
    keys.push(key.toUpperCase());
  }
  const opened = await openReadable(ctx, tag, input);
  if (!opened) return;
  const parts = keys.map((k) => `${k} ${statusValue(k, opened.record.uidValidity)}`);
  ctx.write(untagged(`STATUS ${astring(opened.external)} (${parts.join(' ')})`));
  return ctx.reply(tag, 'OK', 'STATUS completed');
}

/** Subscriptions are not kept: every mailbox the viewer can see counts as subscribed (LSUB). */
async function subscribe(ctx: CommandContext, cmd: ImapCommand): Promise<void> {
  const input = await oneMailbox(ctx, cmd);
  if (input === null) return;
  const ref = ctx.access.resolve(input);
  if (ref.kind !== 'mailbox') return nonexistent(ctx, cmd.tag);
  const opened = await ctx.access.open(ref.owner, ref.name);
  if (!opened || !opened.rights.includes('l')) return nonexistent(ctx, cmd.tag);
  return ctx.reply(cmd.tag, 'OK', `${cmd.name} completed`);
}
