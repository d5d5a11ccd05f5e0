/** A domain's accounts, and a form to create one. */
import { api } from '../api.js';
import { describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { h, statusLine, textField } from '../dom.js';

export async function renderAccounts(ctx: PageContext, domain: string): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(
    pageHeader(`Accounts: ${domain}`, [
      { route: { page: 'domains' }, text: 'Domains' },
      { route: { page: 'domain', domain }, text: domain },
    ]),
  );
  const accounts = await loadOrShowError(main, async () => (await api.accounts(domain)).accounts);
  if (accounts === null) return;
  main.append(
    h(
      'table',
      { class: 'grid' },
      h('caption', {}, `${accounts.length} account${accounts.length === 1 ? '' : 's'} in ${domain}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Account'), h('th', { scope: 'col' }, 'Address'), h('th', { scope: 'col' }, 'Pages'))),
      h(
        'tbody',
        {},
        ...accounts.map((a) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, link({ page: 'account', domain, account: a.name }, a.name)),
            h('td', {}, a.address ?? `${a.name}@${domain}`),
            h('td', { class: 'actions' }, link({ page: 'mailboxes', domain, account: a.name }, 'Mailboxes', { 'aria-label': `Mailboxes of ${a.name}` })),
          ),
        ),
      ),
    ),
  );

  const name = textField('Account name', { name: 'account' , required: true });
  const password = textField('Initial password', { name: 'new-password', type: 'password', autocomplete: 'new-password' });
  const status = statusLine();
  const form = h('form', { class: 'inline' }, name.row, password.row, h('button', { type: 'submit' }, 'Create Account'), status.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pw = password.input.value;
    password.input.value = '';
    api
      .createAccount(domain, name.input.value.trim(), pw || undefined)
      .then(() => renderAccounts(ctx, domain))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('New Account', form));
}
