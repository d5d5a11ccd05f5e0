/** What every page gets: where to draw, who is signed in, and how to move on. */
import type { Me } from './api.js';
import type { Route } from './format.js';

export interface PageContext {
  main: HTMLElement;
  me: Me;
  navigate(route: Route): void;
}

/** Master holds every right; the others are checked by name. */
export function holds(me: Me, ...rights: string[]): boolean {
  return me.rights.includes('Master') || rights.some((r) => me.rights.includes(r));
}
