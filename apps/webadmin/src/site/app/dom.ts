/** A few DOM helpers, so the pages read as markup without a framework. */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | undefined | null | EventListener>;

/** `h('button', { type: 'submit', onclick: fn }, 'Save')`; `false`/null attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'checked' || name === 'value' || name === 'selected') {
      // properties, not attributes: they must reflect the current state after a re-render
      (el as unknown as Record<string, unknown>)[name] = value;
    } else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

let idCounter = 0;
/** A fresh id for tying a <label> to its control. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled text input; returns the wrapper row and the input. */
export function textField(
  label: string,
  opts: { name: string; value?: string; type?: string; autocomplete?: string; required?: boolean; placeholder?: string },
): { row: HTMLElement; input: HTMLInputElement } {
  const id = uid(opts.name);
  const input = h('input', {
    id,
    name: opts.name,
    type: opts.type ?? 'text',
    value: opts.value ?? '',
    autocomplete: opts.autocomplete ?? 'off',
    required: opts.required ?? false,
    placeholder: opts.placeholder,
  });
  return { row: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}

/** A labelled checkbox; the label follows the box. */
export function checkbox(label: string, opts: { name: string; checked: boolean; value?: string; disabled?: boolean }): {
  row: HTMLElement;
  input: HTMLInputElement;
} {
  const id = uid(opts.name);
  const input = h('input', {
    id,
    type: 'checkbox',
    name: opts.name,
    value: opts.value ?? 'on',
    checked: opts.checked,
    disabled: opts.disabled ?? false,
  });
  return { row: h('div', { class: 'check' }, input, h('label', { for: id }, label)), input };
}

/** A live status line under a form: screen readers hear it, tests find it by role. */
export function statusLine(): { el: HTMLElement; ok(text: string): void; fail(text: string): void; clear(): void } {
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    ok(text) {
      // back to a polite status after an earlier failure made it an alert
      el.setAttribute('role', 'status');
      el.className = 'status ok';
      el.textContent = text;
    },
    fail(text) {
      el.className = 'status error';
      el.setAttribute('role', 'alert');
      el.textContent = text;
    },
    clear() {
      el.setAttribute('role', 'status');
      el.className = 'status';
      el.textContent = '';
    },
  };
}

/** Replace everything inside `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}
