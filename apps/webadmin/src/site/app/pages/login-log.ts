/** The login log: every login, newest first; a refused one says which rule refused it. */
import { api } from '../api.js';
import { loadOrShowError, pageHeader } from '../common.js';
import type { PageContext } from '../context.js';
import { h, textField, uid } from '../dom.js';
import { formatTime } from '../format.js';

export interface LoginLogQuery {
  account?: string;
  ok?: string;
  limit?: number;
}

export async function renderLoginLog(ctx: PageContext, query: LoginLogQuery = {}): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(pageHeader('Login Log'));

  const account = textField('Account', { name: 'account', value: query.account ?? '' });
  const okId = uid('outcome');
  const outcome = h(
    'select',
    { id: okId, name: 'ok' },
    h('option', { value: '', selected: !query.ok }, 'All'),
    h('option', { value: 'true', selected: query.ok === 'true' }, 'Accepted'),
    h('option', { value: 'false', selected: query.ok === 'false' }, 'Refused'),
  );
  const limit = textField('Entries', { name: 'limit', type: 'number', value: String(query.limit ?? 100) });
  const filter = h(
    'form',
    { class: 'inline', role: 'search', 'aria-label': 'Filter the login log' },
    account.row,
    h('div', { class: 'field' }, h('label', { for: okId }, 'Outcome'), outcome),
    limit.row,
    h('button', { type: 'submit' }, 'Show'),
  );
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void renderLoginLog(ctx, {
      account: account.input.value.trim(),
      ok: outcome.value,
      limit: Math.max(1, Math.min(1000, Number(limit.input.value) || 100)),
    });
  });
  main.append(filter);

  const entries = await loadOrShowError(main, async () => (await api.loginLog(query)).entries);
  if (entries === null) return;
  if (entries.length === 0) {
    main.append(h('p', { class: 'empty' }, 'No logins match.'));
    return;
  }
  main.append(
    h(
      'table',
      { class: 'grid log' },
      h('caption', {}, `${entries.length} login${entries.length === 1 ? '' : 's'}, newest first`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Time', 'Service', 'Account', 'Address', 'Method', 'Result', 'Why'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        ...entries.map((e) =>
          h(
            'tr',
            { class: e.ok ? 'ok' : 'refused' },
            h('td', { class: 'time' }, formatTime(e.time)),
            h('td', {}, e.service ?? ''),
            h('td', {}, e.account ?? ''),
            h('td', {}, e.address ?? ''),
            h('td', {}, e.mechanism ?? ''),
            h('td', {}, h('span', { class: e.ok ? 'badge ok' : 'badge refused' }, e.ok ? 'accepted' : 'refused'), e.code ? h('span', { class: 'code' }, ` ${e.code}`) : null),
            h('td', { class: 'rule' }, e.ok ? '' : (e.rule ?? 'no rule recorded')),
          ),
        ),
      ),
    ),
  );
}
