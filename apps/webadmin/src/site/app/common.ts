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
