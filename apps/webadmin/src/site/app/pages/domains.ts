/** The domains the caller may see, with links to each one's pages. */
import { api } from '../api.js';
import { describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import { holds, type PageContext } from '../context.js';
import { h, statusLine, textField } from '../dom.js';

export async function renderDomains(ctx: PageContext): Promise<void> {
  const { main, me } = ctx;
  main.replaceChildren(pageHeader('Domains'));
  const domains = await loadOrShowError(main, async () => (await api.domains()).domains);
  if (domains === null) return;
  const table = h(
    'table',
    { class: 'grid' },
    h('caption', {}, `${domains.length} domain${domains.length === 1 ? '' : 's'} you may see`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Domain'), h('th', { scope: 'col' }, 'Accounts'), h('th', { scope: 'col' }, 'Pages'))),
    h(
      'tbody',
      {},
      ...domains.map((d) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, link({ page: 'domain', domain: d.name }, d.name)),
          h('td', { class: 'num' }, d.accounts === undefined ? '' : String(d.accounts)),
          h(
            'td',
            { class: 'actions' },
            link({ page: 'domain', domain: d.name }, 'Settings', { 'aria-label': `Settings of ${d.name}` }),
            link({ page: 'accounts', domain: d.name }, 'Accounts', { 'aria-label': `Accounts of ${d.name}` }),
            link({ page: 'groups', domain: d.name }, 'Groups', { 'aria-label': `Groups of ${d.name}` }),
            holds(me, 'KerberosKeys') ? link({ page: 'kerberos', domain: d.name }, 'Kerberos Keys', { 'aria-label': `Kerberos Keys of ${d.name}` }) : null,
          ),
        ),
      ),
    ),
  );
  main.append(table);

  if (holds(me, 'AllDomains')) {
    const name = textField('Domain name', { name: 'domain', required: true });
    const status = statusLine();
    const form = h('form', { class: 'inline' }, name.row, h('button', { type: 'submit' }, 'Create Domain'), status.el);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      api
        .createDomain(name.input.value.trim())
        .then(() => renderDomains(ctx))
        .catch((err: unknown) => status.fail(describeError(err)));
    });
    main.append(panel('New Domain', form));
  }
}
