/** Domain Settings with the Login Methods panel: which methods the domain advertises. */
import { api, type DomainView } from '../api.js';
import { confirmButton, describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import { holds, type PageContext } from '../context.js';
import { checkbox, h, statusLine } from '../dom.js';
import { LOGIN_METHODS } from '../format.js';

const METHOD_HINTS: Record<string, string> = {
  CLRTXT: 'clear-text methods (LOGIN, PLAIN, USER/PASS)',
  'CRAM-MD5': 'secure; needs a clear or tag password',
  'DIGEST-MD5': 'secure; needs a clear or tag password',
  APOP: 'the APOP prompt on POP and PWD',
  GSSAPI: 'Kerberos; needs the domain\u2019s Kerberos keys',
  NTLM: 'Microsoft NTLM',
  MSN: 'Microsoft MSN',
  SESSIONID: 'logins with a WebUser session ID',
  SCRAM: 'SCRAM-SHA-1 and SCRAM-SHA-256',
};

export async function renderDomainSettings(ctx: PageContext, domain: string): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(pageHeader(`Domain Settings: ${domain}`, [{ route: { page: 'domains' }, text: 'Domains' }]));
  const view = await loadOrShowError(main, () => api.domain(domain));
  if (view === null) return;
  main.append(
    h(
      'nav',
      { class: 'subnav', 'aria-label': 'Domain pages' },
      link({ page: 'accounts', domain }, 'Accounts'),
      link({ page: 'groups', domain }, 'Groups'),
      // a domain administrator manages keys only with the KerberosKeys right
      holds(ctx.me, 'KerberosKeys') ? link({ page: 'kerberos', domain }, 'Security: Kerberos Keys') : null,
    ),
  );

  const current = new Set((view.settings.loginMethods ?? []).map((m) => m.toUpperCase()));
  const boxes = LOGIN_METHODS.map((m) => ({
    method: m,
    ...checkbox(m, { name: 'loginMethods', value: m, checked: current.has(m) }),
  }));
  const status = statusLine();
  const form = h(
    'form',
    {},
    h(
      'fieldset',
      {},
      // the panel's heading already says it; the legend names the group for assistive technology
      h('legend', { class: 'visually-hidden' }, 'Login Methods'),
      h('p', { class: 'hint' }, 'What the domain advertises to clients; a method not advertised can still be used by a client that knows it.'),
      h(
        'div',
        { class: 'checks' },
        ...boxes.map((b) => {
          b.row.title = METHOD_HINTS[b.method] ?? '';
          return b.row;
        }),
      ),
    ),
    h('button', { type: 'submit' }, 'Update'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const loginMethods = boxes.filter((b) => b.input.checked).map((b) => b.method);
    api
      .patchDomain(domain, { loginMethods })
      .then((next) => {
        const saved = next?.settings?.loginMethods ?? loginMethods;
        status.ok(`Login Methods updated: ${saved.length > 0 ? saved.join(' ') : '(none)'}`);
      })
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('Login Methods', form));

  if (holds(ctx.me, 'AllDomains') && view.main !== true) main.append(deleteDomainPanel(ctx, view));

  const others = Object.entries(view.settings).filter(([k]) => k !== 'loginMethods');
  if (others.length > 0) {
    main.append(
      panel(
        'Other Domain Settings',
        h(
          'dl',
          { class: 'settings' },
          ...others.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, settingText(v))]),
        ),
      ),
    );
  }
}

/** Deleting the domain: asked first; with accounts it needs the force box ticked. */
function deleteDomainPanel(ctx: PageContext, view: DomainView): HTMLElement {
  const count = view.accounts ?? 0;
  const force = count > 0 ? checkbox(`Also delete its ${count} account${count === 1 ? '' : 's'}`, { name: 'force', checked: false }) : null;
  const status = statusLine();
  const button = confirmButton(
    'Delete Domain',
    () =>
      force?.input.checked
        ? `Delete ${view.name} and its ${count} account${count === 1 ? '' : 's'}? Their settings, passwords, mailboxes and sessions go. This cannot be undone.`
        : `Delete ${view.name}? This cannot be undone.`,
    () =>
      api.deleteDomain(view.name, force?.input.checked === true).then(
        () => ctx.navigate({ page: 'domains' }),
        (err: unknown) => status.fail(describeError(err)),
      ),
  );
  return panel('Delete Domain', force ? force.row : null, button, status.el);
}

/** A setting's value as an operator reads it: lists comma-separated, nothing as (none). */
function settingText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(none)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
