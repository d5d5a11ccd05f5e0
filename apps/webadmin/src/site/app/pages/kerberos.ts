/** A domain's Kerberos keys: import a keytab file, mark keys and Delete Marked. */
import { api } from '../api.js';
import { describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { h, statusLine, uid } from '../dom.js';
import { bytesToBase64, formatTime } from '../format.js';

export async function renderKerberos(ctx: PageContext, domain: string, notice?: string): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(
    pageHeader(`Kerberos Keys: ${domain}`, [
      { route: { page: 'domains' }, text: 'Domains' },
      { route: { page: 'domain', domain }, text: domain },
    ]),
  );
  const keys = await loadOrShowError(main, async () => (await api.kerberosKeys(domain)).keys);
  if (keys === null) return;

  const listStatus = statusLine();
  if (notice) listStatus.ok(notice);
  const marks: { id: string; input: HTMLInputElement }[] = [];
  const rows = keys.map((k) => {
    const id = uid('key');
    const input = h('input', { type: 'checkbox', id, name: 'mark', value: k.id });
    marks.push({ id: k.id, input });
    return h(
      'tr',
      {},
      h('td', {}, input, h('label', { for: id, class: 'visually-hidden' }, `Mark ${k.principal} version ${k.kvno ?? ''} ${k.enctype ?? ''}`)),
      h('td', {}, k.realm ?? ''),
      h('th', { scope: 'row' }, k.principal),
      h('td', {}, formatTime(k.added)),
      h('td', { class: 'num' }, k.kvno === undefined ? '' : String(k.kvno)),
      h('td', {}, k.enctype === undefined ? '' : String(k.enctype)),
    );
  });
  const table =
    keys.length > 0
      ? h(
          'table',
          { class: 'grid' },
          h('caption', {}, `${keys.length} key${keys.length === 1 ? '' : 's'}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Mark')),
              h('th', { scope: 'col' }, 'Realm'),
              h('th', { scope: 'col' }, 'Principal'),
              h('th', { scope: 'col' }, 'Issued'),
              h('th', { scope: 'col' }, 'Version'),
              h('th', { scope: 'col' }, 'Type'),
            ),
          ),
          h('tbody', {}, ...rows),
        )
      : h('p', { class: 'empty' }, 'This domain has no Kerberos keys.');
  const deleteForm = h('form', {}, table, keys.length > 0 ? h('button', { type: 'submit', class: 'danger' }, 'Delete Marked') : null, listStatus.el);
  deleteForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const ids = marks.filter((m) => m.input.checked).map((m) => m.id);
    if (ids.length === 0) {
      listStatus.fail('Mark the keys to delete first.');
      return;
    }
    api
      .deleteKeys(domain, ids)
      .then(() => renderKerberos(ctx, domain, `Deleted ${ids.length} key${ids.length === 1 ? '' : 's'}.`))
      .catch((err: unknown) => listStatus.fail(describeError(err)));
  });
  main.append(panel('Domain Kerberos Keys', deleteForm));

  const fileId = uid('keytab');
  const file = h('input', { id: fileId, type: 'file', name: 'keytab', required: true });
  const importStatus = statusLine();
  const importForm = h(
    'form',
    {},
    h('p', { class: 'hint' }, 'A keytab exported from the KDC for a principal named after this domain or one of its aliases (for example imap/', domain, ').'),
    h('div', { class: 'field' }, h('label', { for: fileId }, 'Keytab file'), file),
    h('button', { type: 'submit' }, 'Import Keys'),
    importStatus.el,
  );
  importForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      importStatus.fail('Choose a keytab file first.');
      return;
    }
    chosen
      .arrayBuffer()
      .then((buf) => api.importKeytab(domain, bytesToBase64(new Uint8Array(buf))))
      .then((res) => renderKerberos(ctx, domain, `Imported ${res.imported} key${res.imported === 1 ? '' : 's'}.`))
      .catch((err: unknown) => importStatus.fail(describeError(err)));
  });
  main.append(panel('Import Keys', importForm));
  main.append(h('p', {}, link({ page: 'domain', domain }, 'Back to Domain Settings')));
}
