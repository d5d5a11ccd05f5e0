/** A domain's groups (the #GROUP names of mailbox ACLs): members set, groups created and deleted. */
import { api } from '../api.js';
import { describeError, loadOrShowError, link, pageHeader, panel } from '../common.js';
import type { PageContext } from '../context.js';
import { h, statusLine, textField, uid } from '../dom.js';
import { parseList } from '../format.js';

function membersField(label: string, name: string, members: string[]): { row: HTMLElement; input: HTMLTextAreaElement } {
  const id = uid(name);
  const input = h('textarea', { id, name, rows: Math.max(2, members.length + 1), spellcheck: 'false' });
  input.value = members.join('\n');
  return { row: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

export async function renderGroups(ctx: PageContext, domain: string, notice?: string): Promise<void> {
  const { main } = ctx;
  main.replaceChildren(
    pageHeader(`Groups: ${domain}`, [
      { route: { page: 'domains' }, text: 'Domains' },
      { route: { page: 'domain', domain }, text: domain },
    ]),
  );
  const groups = await loadOrShowError(main, async () => (await api.groups(domain)).groups);
  if (groups === null) return;
  const top = statusLine();
  if (notice) top.ok(notice);
  main.append(top.el);
  if (groups.length === 0) main.append(h('p', { class: 'empty' }, 'This domain has no groups.'));
  for (const g of groups) {
    const members = membersField(`Members of ${g.name} (account names, one a line)`, `members-${g.name}`, g.members);
    const status = statusLine();
    const remove = h('button', { type: 'button', class: 'danger' }, `Delete ${g.name}`);
    const form = h('form', {}, members.row, h('div', { class: 'buttons' }, h('button', { type: 'submit' }, `Update ${g.name}`), remove), status.el);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      api
        .putGroup(domain, g.name, parseList(members.input.value))
        .then((saved) => status.ok(`Group ${g.name}: ${saved.members.length > 0 ? saved.members.join(', ') : '(no members)'}`))
        .catch((err: unknown) => status.fail(describeError(err)));
    });
    remove.addEventListener('click', () => {
      api
        .deleteGroup(domain, g.name)
        .then(() => renderGroups(ctx, domain, `Group ${g.name} deleted.`))
        .catch((err: unknown) => status.fail(describeError(err)));
    });
    main.append(panel(`#${g.name}`, form));
  }

  const name = textField('Group name', { name: 'group', required: true });
  const members = membersField('Members (account names, one a line)', 'new-members', []);
  const status = statusLine();
  const form = h('form', {}, name.row, members.row, h('button', { type: 'submit' }, 'Create Group'), status.el);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const group = name.input.value.trim();
    api
      .putGroup(domain, group, parseList(members.input.value))
      .then(() => renderGroups(ctx, domain, `Group ${group} created.`))
      .catch((err: unknown) => status.fail(describeError(err)));
  });
  main.append(panel('New Group', form));
  main.append(h('p', {}, link({ page: 'domain', domain }, 'Back to Domain Settings')));
}
