/**
 * The effective-rights calculator: an account and a mailbox in, the ACL rights out, with each step
 * of the merge the server took (exact entry, direct rights, minus removed, plus added...).
 */
import { api } from '../api.js';
import { describeError, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { h, replaceChildren, statusLine, textField } from '../dom.js';

/** RFC 4314 rights letters, for the legend under the result. */
const RIGHT_LETTERS: Record<string, string> = {
  l: 'lookup',
  r: 'read',
  s: 'keep seen',
  w: 'write flags',
  i: 'insert',
  p: 'post',
  k: 'create mailboxes',
  x: 'delete mailbox',
  t: 'delete messages',
  e: 'expunge',
  a: 'administer',
};

export function renderEffectiveRights(ctx: PageContext, prefill: { account?: string; mailbox?: string } = {}): void {
  const { main, me } = ctx;
  main.replaceChildren(pageHeader('Effective Rights'));
  const account = textField('Account', { name: 'account', value: prefill.account ?? me.account, required: true });
  const mailbox = textField('Mailbox (owner@domain/Mailbox/Name)', {
    name: 'mailbox',
    value: prefill.mailbox ?? '',
    required: true,
    placeholder: `${me.account}/INBOX`,
  });
  const status = statusLine();
  const result = h('div', { class: 'result' });
  const form = h('form', {}, account.row, mailbox.row, h('button', { type: 'submit' }, 'Compute'), status.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    status.clear();
    result.replaceChildren();
    api
      .effectiveRights(account.input.value.trim(), mailbox.input.value.trim())
      .then((r) => {
        replaceChildren(
          result,
          h(
            'p',
            { class: 'rights-result' },
            r.account && r.owner ? `${r.account} in ${r.owner}/${r.mailbox ?? ''}: ` : 'Effective rights: ',
            h('output', { class: 'rights', 'aria-label': 'Effective rights' }, r.rights === '' ? '(none)' : r.rights),
          ),
          r.acl
            ? h(
                'table',
                { class: 'grid acl' },
                h('caption', {}, `ACL of ${r.owner ?? ''}/${r.mailbox ?? ''}${Object.keys(r.acl).length === 0 ? ' (empty: only the owner has rights)' : ''}`),
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Identifier'), h('th', { scope: 'col' }, 'Rights'))),
                h(
                  'tbody',
                  {},
                  ...Object.entries(r.acl).map(([id, rights]) => h('tr', {}, h('th', { scope: 'row' }, id), h('td', { class: 'rights' }, rights))),
                ),
              )
            : null,
          h(
            'table',
            { class: 'grid steps' },
            h('caption', {}, 'How the rights were merged'),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Detail'), h('th', { scope: 'col' }, 'Rights'))),
            h(
              'tbody',
              {},
              ...r.steps.map((s, i) =>
                h('tr', {}, h('td', { class: 'num' }, String(i + 1)), h('th', { scope: 'row' }, s.step), h('td', {}, s.detail), h('td', { class: 'rights' }, s.rights === '' ? '(none)' : s.rights)),
              ),
            ),
          ),
          h(
            'p',
            { class: 'hint' },
            Object.entries(RIGHT_LETTERS)
              .map(([l, n]) => `${l} ${n}`)
              .join(' \u00b7 '),
          ),
        );
      })
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('Account and Mailbox', form), result);
  // a link that names both (from the Mailboxes page) shows the answer at once
  if (prefill.account && prefill.mailbox) form.requestSubmit();
  else if (prefill.account) mailbox.input.focus();
}
