/** Page furniture shared by several pages: headings, breadcrumbs, error panels. */
import { ApiError } from './api.js';
import { h } from './dom.js';
import { routeHref, type Route } from './format.js';

export function link(route: Route, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  return h('a', { href: routeHref(route), ...attrs }, text);
}

/** The page's single h1 plus a trail of links to where it sits. */
export function pageHeader(title: string, trail: { route: Route; text: string }[] = []): HTMLElement {
  const crumbs =
    trail.length > 0
      ? h(
          'nav',
          { 'aria-label': 'Breadcrumb', class: 'crumbs' },
          h('ol', {}, ...trail.map((t) => h('li', {}, link(t.route, t.text)))),
        )
      : null;
  return h('header', { class: 'page-header' }, crumbs, h('h1', {}, title));
}

/** Why a page could not load, in words a person can act on. */
export function errorPanel(err: unknown): HTMLElement {
  const message = describeError(err);
  return h('div', { class: 'panel error', role: 'alert' }, message);
}

/**
 * What a page loads before it can draw: the API's answer, or null after its error panel was
 * appended to `main` (the page then stops).
 */
export async function loadOrShowError<T>(main: HTMLElement, load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (err) {
    main.append(errorPanel(err));
    return null;
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `Not permitted: ${err.message}`;
    if (err.status === 404) return `Not found: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A titled panel (a labelled region, so it is found by its heading). */
export function panel(title: string, ...children: (Node | null)[]): HTMLElement {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/**
 * A destructive button that asks first, inline (no window.confirm: it is announced, styled, and
 * found by role like everything else). `act` runs on "Yes"; its rejection is shown by the caller.
 */
export function confirmButton(label: string, question: () => string, act: () => Promise<void>): HTMLElement {
  const wrap = h('div', { class: 'confirm' });
  const first = h('button', { type: 'button', class: 'danger' }, label);
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'danger' }, `Yes, ${label}`);
    const no = h('button', { type: 'button' }, 'Cancel');
    const box = h('div', { class: 'confirm-box', role: 'alertdialog', 'aria-label': `Confirm: ${label}` }, h('p', {}, question()), h('div', { class: 'buttons' }, yes, no));
    no.addEventListener('click', () => wrap.replaceChildren(first));
    yes.addEventListener('click', () => {
      yes.disabled = true;
      // act shows its own failure; the question goes away either way
      void act()
        .catch(() => undefined)
        .finally(() => wrap.replaceChildren(first));
    });
    wrap.replaceChildren(box);
    yes.focus();
  };
  first.addEventListener('click', ask);
  wrap.append(first);
  return wrap;
}
