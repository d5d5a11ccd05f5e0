/**
 * The server pages of the Settings realm: Client IP Addresses (with the listeners' Grant/Deny),
 * Login Security (hide unknown account, lockout, unlock), and Helpers (External Authentication).
 */
import { api, type ListenerRow, type Settings } from '../api.js';
import { describeError, errorPanel, loadOrShowError, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { checkbox, h, statusLine, textField, uid } from '../dom.js';
import { parseLines, parseList, sameList } from '../format.js';

/** A value that may come nested (`externalAuth: {program}`) or flat (`'externalAuth.program'`). */
function pick(s: Settings, path: string): unknown {
  if (path in s) return s[path];
  let cur: unknown = s;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function textarea(label: string, name: string, lines: string[]): { row: HTMLElement; input: HTMLTextAreaElement } {
  const id = uid(name);
  const input = h('textarea', { id, name, rows: Math.max(4, lines.length + 1), spellcheck: 'false' });
  input.value = lines.join('\n');
  return { row: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

async function loadServer(main: HTMLElement): Promise<Settings | null> {
  return loadOrShowError(main, async () => (await api.server()).settings);
}

export async function renderClientAddresses(ctx: PageContext): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(pageHeader('Client IP Addresses'));
  const s = await loadServer(main);
  if (!s) return;
  const list = (pick(s, 'clientAddresses') as string[] | undefined) ?? [];
  const addresses = textarea('Client IP Addresses (one address or network a line)', 'clientAddresses', list);
  const selectId = uid('nonClients');
  const current = String(pick(s, 'loginsFromNonClients') ?? 'allow');
  const nonClients = h(
    'select',
    { id: selectId, name: 'loginsFromNonClients' },
    h('option', { value: 'allow', selected: current === 'allow' }, 'Allow'),
    h('option', { value: 'prohibit', selected: current === 'prohibit' }, 'Prohibit'),
  );
  const status = statusLine();
  const form = h(
    'form',
    {},
    addresses.row,
    h('div', { class: 'field' }, h('label', { for: selectId }, 'Logins from non-client addresses'), nonClients),
    h('button', { type: 'submit' }, 'Update'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api
      .patchServer({ clientAddresses: parseList(addresses.input.value), loginsFromNonClients: nonClients.value })
      .then(() => status.ok('Client IP Addresses updated.'))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('Client Addresses', form));

  try {
    const { listeners } = await api.listeners();
    main.append(
      panel(
        'Listener Grant and Deny',
        h(
          'p',
          { class: 'hint' },
          'Each listener\u2019s own address lists, checked before any login: a connection from a Deny address, or from outside a non-empty Grant list, is closed at once. Changes apply to new connections; Reset goes back to the configuration file.',
        ),
        ...listeners.map((l) => listenerForm(l)),
      ),
    );
  } catch (err) {
    main.append(panel('Listener Grant and Deny', errorPanel(err)));
  }
}

/** One listener's Grant and Deny lists, editable unless it is an http listener (those stay the file's). */
function listenerForm(initial: ListenerRow): HTMLElement {
  let l = initial;
  const where = `${l.service}, ${l.address ?? ''}:${l.port}${l.tls ? `, TLS ${l.tls}` : ''}`;
  const grant = textarea('Grant', `grant-${l.name}`, l.grant);
  const deny = textarea('Deny', `deny-${l.name}`, l.deny);
  const source = h('p', { class: 'hint source' });
  const status = statusLine();
  const showSource = () => {
    const from = (over: boolean | undefined) => (over ? 'set here' : 'from the configuration file');
    const fileList = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(', ') : '(none)');
    source.textContent =
      `Grant ${from(l.overridden?.grant)}, Deny ${from(l.overridden?.deny)}.` +
      (l.overridden?.grant || l.overridden?.deny
        ? ` The file says: Grant ${fileList(l.config?.grant)}; Deny ${fileList(l.config?.deny)}.`
        : '');
  };
  showSource();
  const editable = l.service !== 'http';
  if (!editable) {
    grant.input.readOnly = true;
    deny.input.readOnly = true;
    source.textContent = 'An http listener’s lists come from the configuration file only (the admin API must stay reachable).';
  }
  // named after the listener: the page holds one Update per listener besides the addresses' own
  const update = h('button', { type: 'submit', disabled: !editable, 'aria-label': `Update ${l.name}` }, 'Update');
  const reset = h(
    'button',
    { type: 'button', class: 'secondary', disabled: !editable, 'aria-label': `Reset to the configuration file: ${l.name}` },
    'Reset to the configuration file',
  );
  const form = h(
    'form',
    { class: 'listener' },
    h(
      'fieldset',
      {},
      h('legend', {}, `${l.name} (${where})`),
      h('div', { class: 'pair' }, grant.row, deny.row),
      source,
      editable ? h('div', { class: 'buttons' }, update, reset) : null,
      status.el,
    ),
  );
  const apply = (next: ListenerRow, message: string) => {
    l = { ...l, ...next };
    grant.input.value = l.grant.join('\n');
    deny.input.value = l.deny.join('\n');
    showSource();
    const list = (xs: string[]) => (xs.length > 0 ? xs.join(', ') : '(none)');
    status.ok(`${message} Grant: ${list(l.grant)}; Deny: ${list(l.deny)}.`);
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // only the list that changed, so the other keeps following the configuration file
    const body: { grant?: string[]; deny?: string[] } = {};
    const g = parseList(grant.input.value);
    const d = parseList(deny.input.value);
    if (!sameList(g, l.grant)) body.grant = g;
    if (!sameList(d, l.deny)) body.deny = d;
    if (Object.keys(body).length === 0) {
      status.ok('Nothing changed.');
      return;
    }
    api
      .patchListener(l.name, body)
      .then((next) => apply(next, `${l.name} updated.`))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  reset.addEventListener('click', () => {
    api
      .patchListener(l.name, { grant: null, deny: null })
      .then((next) => apply(next, `${l.name} reset to the configuration file.`))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  return form;
}

export async function renderLoginSecurity(ctx: PageContext): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(pageHeader('Login Security'));
  const s = await loadServer(main);
  if (!s) return;
  const hide = checkbox('Hide \u2018Account Unknown\u2019 messages', { name: 'hideUnknownAccount', checked: pick(s, 'hideUnknownAccount') === true });
  const limitNow = Number(pick(s, 'defaultAccountSettings.failedLoginLimit') ?? 0);
  const periodNow = Number(pick(s, 'defaultAccountSettings.failedLoginPeriod') ?? 300);
  const limitId = uid('limit');
  const periodId = uid('period');
  const limit = h('input', { id: limitId, type: 'number', min: 0, step: 1, value: String(limitNow) });
  const period = h('input', { id: periodId, type: 'number', min: 1, step: 1, value: String(periodNow) });
  const status = statusLine();
  const form = h(
    'form',
    {},
    h(
      'fieldset',
      {},
      h('legend', {}, 'Account Name Harvesting'),
      h('p', { class: 'hint' }, 'Answer an unknown account like a wrong password, so that account names cannot be probed.'),
      hide.row,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Lockout (default for every account)'),
      h('div', { class: 'field' }, h('label', { for: limitId }, 'Failed logins before a lock (0: never)'), limit),
      h('div', { class: 'field' }, h('label', { for: periodId }, 'Lock period (seconds)'), period),
    ),
    h('button', { type: 'submit' }, 'Update'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const settings: Settings = { hideUnknownAccount: hide.input.checked };
    const defaults: Record<string, number> = {};
    if (Number(limit.value) !== limitNow) defaults.failedLoginLimit = Number(limit.value);
    if (Number(period.value) !== periodNow) defaults.failedLoginPeriod = Number(period.value);
    if (Object.keys(defaults).length > 0) settings.defaultAccountSettings = defaults;
    api
      .patchServer(settings)
      .then(() => status.ok('Login Security updated.'))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('Login Security', form));

  const key = textField('Account address or client IP address', { name: 'lockout-key', required: true });
  const lockStatus = statusLine();
  const unlock = h('button', { type: 'button', hidden: true }, 'Unlock');
  const check = h('form', { class: 'inline' }, key.row, h('button', { type: 'submit' }, 'Check'), unlock, lockStatus.el);
  check.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api
      .lockout(key.input.value.trim())
      .then((r) => {
        unlock.hidden = !r.locked;
        lockStatus.ok(r.locked ? `${key.input.value.trim()} is locked out.` : `${key.input.value.trim()} is not locked out.`);
      })
      .catch((err: unknown) => lockStatus.fail(describeError(err)));
  });
  unlock.addEventListener('click', () => {
    api
      .unlock(key.input.value.trim())
      .then(() => {
        unlock.hidden = true;
        lockStatus.ok(`${key.input.value.trim()} unlocked.`);
      })
      .catch((err: unknown) => lockStatus.fail(describeError(err)));
  });
  main.append(panel('Lockout Status', check));
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export async function renderHelpers(ctx: PageContext): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(pageHeader('Helpers'));
  const s = await loadServer(main);
  if (!s) return;
  const program = textField('Program Path', { name: 'program', value: String(pick(s, 'externalAuth.program') ?? '') });
  const args = textarea('Arguments (one a line)', 'args', (pick(s, 'externalAuth.args') as string[] | undefined) ?? []);
  const timeout = textField('Time-out (seconds)', { name: 'timeout', type: 'number', value: String(pick(s, 'externalAuth.timeout') ?? '') });
  const restart = checkbox('Auto-Restart', { name: 'autoRestart', checked: pick(s, 'externalAuth.autoRestart') === true });
  const levelId = uid('logLevel');
  const levelNow = String(pick(s, 'externalAuth.logLevel') ?? 'info');
  const level = h('select', { id: levelId, name: 'logLevel' }, ...LOG_LEVELS.map((l) => h('option', { value: l, selected: l === levelNow }, l)));
  const status = statusLine();
  const form = h(
    'form',
    {},
    h(
      'fieldset',
      {},
      h('legend', {}, 'External Authentication'),
      h('div', { class: 'field' }, h('label', { for: levelId }, 'Log Level'), level),
      program.row,
      args.row,
      timeout.row,
      restart.row,
    ),
    h('button', { type: 'submit' }, 'Update'),
    status.el,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const externalAuth: Record<string, unknown> = {
      // an empty path removes the setting (no helper) rather than naming an empty program
      program: program.input.value.trim() === '' ? null : program.input.value.trim(),
      args: parseLines(args.input.value),
      autoRestart: restart.input.checked,
      logLevel: level.value,
    };
    if (timeout.input.value !== '') externalAuth.timeout = Number(timeout.input.value);
    api
      .patchServer({ externalAuth })
      .then(() => status.ok('External Authentication updated.'))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('External Authentication', form));
}
