/**
 * An account's mailboxes and their ACLs (RFC 4314): each entry's rights changed or removed, new
 * entries added. The server checks every identifier (a real account, group or domain; an alias
 * or an unknown name is refused with its reason) and the rights letters.
 */
import { api, type MailboxAcl } from '../api.js';
import { describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { h, statusLine, textField } from '../dom.js';
import { identifierAccount } from '../format.js';

export async function renderMailboxes(ctx: PageContext, domain: string, account: string): Promise<void> {
  const { main } = ctx;
  const owner = `${account}@${domain}`;
  main.replaceChildren(
    pageHeader(`Mailboxes: ${owner}`, [
      { route: { page: 'domains' }, text: 'Domains' },
      { route: { page: 'domain', domain }, text: domain },
      { route: { page: 'accounts', domain }, text: 'Accounts' },
      { route: { page: 'account', domain, account }, text: account },
    ]),
  );
  const mailboxes = await loadOrShowError(main, async () => (await api.mailboxes(domain, account)).mailboxes);
  if (mailboxes === null) return;
  main.append(
    h(
      'p',
      { class: 'hint' },
      'Identifiers: an account (bob, bob@other.domain), a group (#team), anyone, anyone@ (this domain), anyone@other.domain; ' +
        'a leading - makes a negative entry (rights taken away). Rights: l r s w i p k x t e a; +letters add, -letters take away.',
    ),
  );
  for (const m of mailboxes) main.append(mailboxPanel(domain, account, owner, m));
}

function mailboxPanel(domain: string, account: string, owner: string, initial: MailboxAcl): HTMLElement {
  const name = initial.name;
  const status = statusLine();
  const tableSlot = h('div', {});
  const draw = (acl: Record<string, string>): void => {
    const entries = Object.entries(acl);
    if (entries.length === 0) {
      tableSlot.replaceChildren(h('p', { class: 'empty' }, 'No entries: only the owner has rights.'));
      return;
    }
    tableSlot.replaceChildren(
      h(
        'table',
        { class: 'grid acl' },
        h('caption', {}, `ACL of ${name}`),
        h('thead', {}, h('tr', {}, ...['Identifier', 'Rights', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...entries.map(([id, rights]) => entryRow(id, rights))),
      ),
    );
  };
  const entryRow = (id: string, rights: string): HTMLElement => {
    const input = h('input', { type: 'text', value: rights, 'aria-label': `Rights of ${id} on ${name}`, size: 12, spellcheck: 'false', class: 'rights' });
    const change = h('button', { type: 'submit', 'aria-label': `Change ${id} on ${name}` }, 'Change');
    const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${id} from ${name}` }, 'Remove');
    const form = h('form', { class: 'inline acl-entry' }, input, change, remove);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void save(id, input.value.trim(), `${id} on ${name}`);
    });
    remove.addEventListener('click', () => {
      api
        .deleteMailboxAcl(domain, account, name, id)
        .then((r) => refresh(r?.acl, `${id} removed from ${name}.`))
        .catch((err: unknown) => status.fail(describeError(err)));
    });
    const who = identifierAccount(id, domain);
    return h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'rights' }, id),
      h('td', {}, form),
      h('td', {}, who ? link({ page: 'effective-rights', account: who, mailbox: `${owner}/${name}` }, 'Effective Rights', { 'aria-label': `Effective rights of ${who} on ${name}` }) : null),
    );
  };
  /** redraw from the server's answer, or ask again when an answer carried no ACL */
  const refresh = (acl: Record<string, string> | undefined, message: string): void => {
    const done = (next: Record<string, string>) => {
      draw(next);
      status.ok(message);
    };
    if (acl) {
      done(acl);
      return;
    }
    api
      .mailboxes(domain, account)
      .then((r) => done(r.mailboxes.find((m) => m.name === name)?.acl ?? {}))
      .catch((err: unknown) => status.fail(describeError(err)));
  };
  /** true once the server took the change */
  const save = (id: string, rights: string, what: string): Promise<boolean> =>
    api
      .setMailboxAcl(domain, account, name, id, rights)
      .then((r) => {
        refresh(r?.acl, `${what}: ${r?.acl?.[id] ?? rights}.`);
        return true;
      })
      .catch((err: unknown) => {
        status.fail(describeError(err));
        return false;
      });
  draw(initial.acl);

  const identifier = textField('Identifier', { name: `identifier-${name}`, required: true, placeholder: 'bob, #team, anyone@' });
  const rights = textField('Rights', { name: `rights-${name}`, required: true, placeholder: 'lrs' });
  rights.input.classList.add('rights');
  const add = h('form', { class: 'inline' }, identifier.row, rights.row, h('button', { type: 'submit', 'aria-label': `Add entry to ${name}` }, 'Add or Change'));
  add.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = identifier.input.value.trim();
    void save(id, rights.input.value.trim(), `${id} on ${name}`).then((saved) => {
      if (!saved) return;
      identifier.input.value = '';
      rights.input.value = '';
    });
  });
  return panel(
    `Mailbox ${name}`,
    tableSlot,
    add,
    status.el,
    h('p', {}, link({ page: 'effective-rights', mailbox: `${owner}/${name}` }, `Compute someone\u2019s rights on ${name}`)),
  );
}
