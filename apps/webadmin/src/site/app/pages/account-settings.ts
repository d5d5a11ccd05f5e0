/**
 * Account Settings: the password (set, never shown), the login security settings, and the Access
 * Rights panel with the spec's two groups of rights.
 */
import { api, type AccountView } from '../api.js';
import { describeError, errorPanel, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { checkbox, h, statusLine, textField, uid } from '../dom.js';
import { DOMAIN_RIGHTS, MAIN_DOMAIN_RIGHTS } from '../format.js';

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
  let view: AccountView;
  try {
    view = await api.account(domain, account);
  } catch (err) {
    main.append(errorPanel(err));
    return;
  }
  main.append(passwordPanel(domain, account, view), settingsPanel(domain, account, view));
  main.append(await rightsPanel(domain, account, view));
  main.append(h('p', {}, link({ page: 'effective-rights' }, 'Compute this account\u2019s rights on a mailbox')));
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
