/**
 * Account Settings: the password (set, never shown), the login security settings, the Access
 * Rights panel with the spec's two groups of rights, the account's open WebUser sessions, and
 * deleting the account.
 */
import { api, type AccountView, type SessionRow } from '../api.js';
import { confirmButton, describeError, errorPanel, loadOrShowError, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { checkbox, h, statusLine, textField, uid } from '../dom.js';
import { DOMAIN_RIGHTS, formatTime, MAIN_DOMAIN_RIGHTS, shortId } from '../format.js';

/** Boolean account settings shown as checkboxes, with the built-in default when the account has none. */
const FLAGS: readonly { key: string; label: string; fallback: boolean }[] = [
  { key: 'useCGPassword', label: 'Use the account\u2019s own password', fallback: true },
  { key: 'useOSPassword', label: 'Use the OS password', fallback: false },
  { key: 'useExtPassword', label: 'Use External Authentication', fallback: false },
  { key: 'secureMethodRequired', label: 'Require a secure method (TLS or a secure SASL mechanism)', fallback: false },
  { key: 'allowKerberos', label: 'Allow Kerberos (GSSAPI) logins', fallback: true },
  { key: 'allowCertificate', label: 'Allow client-certificate logins', fallback: true },
  { key: 'allowNTLMv1', label: 'Accept weak NTLMv1 responses', fallback: false },
];

export async function renderAccountSettings(ctx: PageContext, domain: string, account: string): Promise<void> {
  const { main } = ctx;
  const address = `${account}@${domain}`;
  main.replaceChildren(
    pageHeader(`Account Settings: ${address}`, [
      { route: { page: 'domains' }, text: 'Domains' },
      { route: { page: 'domain', domain }, text: domain },
      { route: { page: 'accounts', domain }, text: 'Accounts' },
    ]),
  );
  const view = await loadOrShowError(main, () => api.account(domain, account));
  if (view === null) return;
  main.append(passwordPanel(domain, account, view), settingsPanel(domain, account, view));
  main.append(await rightsPanel(domain, account, view));
  main.append(
    h(
      'p',
      { class: 'links' },
      link({ page: 'mailboxes', domain, account }, 'Mailboxes and their ACLs'),
      link({ page: 'effective-rights', account: view.address ?? address }, 'Compute this account\u2019s rights on a mailbox'),
    ),
  );
  main.append(await sessionsPanel(view.address ?? address));
  main.append(deletePanel(ctx, domain, account, view.address ?? address));
}

/** The account's WebUser sessions, each closable; the ID shows only as a short prefix. */
async function sessionsPanel(address: string): Promise<HTMLElement> {
  const body = h('div', {});
  const status = statusLine();
  const draw = async (): Promise<void> => {
    let sessions: SessionRow[];
    try {
      sessions = (await api.sessions(address)).sessions;
    } catch (err) {
      body.replaceChildren(errorPanel(err));
      return;
    }
    if (sessions.length === 0) {
      body.replaceChildren(h('p', { class: 'empty' }, 'No open WebUser sessions.'));
      return;
    }
    body.replaceChildren(
      h(
        'table',
        { class: 'grid sessions' },
        h('caption', {}, `${sessions.length} open session${sessions.length === 1 ? '' : 's'}`),
        h('thead', {}, h('tr', {}, ...['Session', 'Kind', 'Created', 'Expires', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...sessions.map((s) => {
            const label = shortId(s.id);
            const close = h('button', { type: 'button', class: 'link danger', 'aria-label': `Close session ${label}` }, 'Close');
            close.addEventListener('click', () => {
              close.disabled = true;
              api
                .closeSession(s.id)
                .then(() => {
                  status.ok(`Session ${label} closed.`);
                  return draw();
                })
                .catch((err: unknown) => {
                  close.disabled = false;
                  status.fail(describeError(err));
                });
            });
            return h(
              'tr',
              {},
              h('th', { scope: 'row', class: 'rights' }, label),
              h('td', {}, s.kind ?? ''),
              h('td', { class: 'time' }, formatTime(s.createdAt)),
              h('td', { class: 'time' }, formatTime(s.expiresAt)),
              h('td', {}, close),
            );
          }),
        ),
      ),
    );
  };
  await draw();
  const refresh = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  refresh.addEventListener('click', () => {
    status.clear();
    void draw();
  });
  return panel('Sessions', body, h('div', { class: 'buttons' }, refresh), status.el);
}

/** Deleting the account: asked first; its settings, passwords, mailboxes and sessions all go. */
function deletePanel(ctx: PageContext, domain: string, account: string, address: string): HTMLElement {
  const status = statusLine();
  const button = confirmButton(
    'Delete Account',
    () => `Delete ${address}? Its settings, passwords, access rights, group memberships, mailboxes and ACL entries go, and its sessions are closed. This cannot be undone.`,
    () =>
      api.deleteAccount(domain, account).then(
        () => ctx.navigate({ page: 'accounts', domain }),
        (err: unknown) => status.fail(describeError(err)),
      ),
  );
  return panel('Delete Account', button, status.el);
}

function passwordPanel(domain: string, account: string, view: AccountView): HTMLElement {
  const state = h('p', { class: 'password-state' }, view.passwordSet ? 'A password is set.' : 'No password is set.');
  const pw = textField('New password', { name: 'new-password', type: 'password', autocomplete: 'new-password', required: true });
  const again = textField('Repeat new password', { name: 'repeat-password', type: 'password', autocomplete: 'new-password', required: true });
  const status = statusLine();
  const tags = view.tagPasswords ?? [];
  const tagLine = tags.length > 0 ? h('p', { class: 'hint' }, `Tag passwords (set with the CLI): ${tags.join(', ')}`) : null;
  const form = h('form', {}, state, tagLine, pw.row, again.row, h('button', { type: 'submit' }, 'Set Password'), status.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = pw.input.value;
    const repeat = again.input.value;
    pw.input.value = '';
    again.input.value = '';
    if (value !== repeat) {
      status.fail('The two passwords differ.');
      return;
    }
    api
      .patchAccount(domain, account, { password: value })
      .then(() => {
        state.textContent = 'A password is set.';
        status.ok('Password updated.');
      })
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  return panel('Password', form);
}

function settingsPanel(domain: string, account: string, view: AccountView): HTMLElement {
  // what is in force, so an inherited value shows as it acts
  const s = { ...(view.effective ?? {}), ...(view.settings ?? {}) };
  const flagOf = (key: string, fallback: boolean): boolean => (typeof s[key] === 'boolean' ? (s[key] as boolean) : fallback);
  const flags = FLAGS.map((f) => ({
    key: f.key,
    initial: flagOf(f.key, f.fallback),
    ...checkbox(f.label, { name: f.key, checked: flagOf(f.key, f.fallback) }),
  }));
  const limitId = uid('failedLoginLimit');
  const periodId = uid('failedLoginPeriod');
  const limit = h('input', { id: limitId, type: 'number', min: 0, step: 1, value: String(s.failedLoginLimit ?? 0) });
  const period = h('input', { id: periodId, type: 'number', min: 1, step: 1, value: String(s.failedLoginPeriod ?? 300) });
  const status = statusLine();
  const form = h(
    'form',
    {},
    h('fieldset', {}, h('legend', {}, 'Login'), h('div', { class: 'checks vertical' }, ...flags.map((f) => f.row))),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Lockout'),
      h('div', { class: 'field' }, h('label', { for: limitId }, 'Failed logins before a lock (0: never)'), limit),
      h('div', { class: 'field' }, h('label', { for: periodId }, 'Lock period (seconds)'), period),
    ),
    h('button', { type: 'submit' }, 'Update Settings'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // only what changed, so inherited values stay inherited
    const settings: Record<string, unknown> = {};
    for (const f of flags) if (f.input.checked !== f.initial) settings[f.key] = f.input.checked;
    if (limit.value !== String(s.failedLoginLimit ?? 0)) settings.failedLoginLimit = Number(limit.value);
    if (period.value !== String(s.failedLoginPeriod ?? 300)) settings.failedLoginPeriod = Number(period.value);
    if (Object.keys(settings).length === 0) {
      status.ok('Nothing changed.');
      return;
    }
    api
      .patchAccount(domain, account, { settings })
      .then(() => {
        for (const f of flags) f.initial = f.input.checked;
        status.ok('Settings updated.');
      })
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  return panel('Settings', form);
}

async function rightsPanel(domain: string, account: string, view: AccountView): Promise<HTMLElement> {
  let held = view.rights;
  if (!held) {
    try {
      held = (await api.rights(domain, account)).rights;
    } catch (err) {
      return panel('Access Rights', errorPanel(err));
    }
  }
  const has = new Set(held);
  const group = (legend: string, rights: readonly { name: string; label: string }[]) => {
    const boxes = rights.map((r) => ({ name: r.name, ...checkbox(`${r.label} (${r.name})`, { name: 'rights', value: r.name, checked: has.has(r.name) }) }));
    return { boxes, el: h('fieldset', {}, h('legend', {}, legend), h('div', { class: 'checks vertical' }, ...boxes.map((b) => b.row))) };
  };
  const main = group('Main-domain accounts only', MAIN_DOMAIN_RIGHTS);
  const any = group('Any domain\u2019s accounts (own domain)', DOMAIN_RIGHTS);
  const status = statusLine();
  const form = h('form', {}, main.el, any.el, h('button', { type: 'submit' }, 'Update Access Rights'), status.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const rights = [...main.boxes, ...any.boxes].filter((b) => b.input.checked).map((b) => b.name);
    api
      .putRights(domain, account, rights)
      .then(() => status.ok(`Access rights updated: ${rights.length > 0 ? rights.join(', ') : '(none)'}`))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  return panel('Access Rights', form);
}
