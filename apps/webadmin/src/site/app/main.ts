/**
 * The app shell: find out who is signed in (GET /api/v1/me), draw the navigation their rights
 * allow, and route the URL fragment to a page. Signed out, every route shows the sign-in form.
 */
import { api, ApiError, SIGNED_OUT_EVENT, type Me } from './api.js';
import { errorPanel, pageHeader } from './common.js';
import { holds, type PageContext } from './context.js';
import { h } from './dom.js';
import { parseRoute, routeHref, type Route } from './format.js';
import { renderAccountSettings } from './pages/account-settings.js';
import { renderAccounts } from './pages/accounts.js';
import { renderDomainSettings } from './pages/domain-settings.js';
import { renderDomains } from './pages/domains.js';
import { renderEffectiveRights } from './pages/effective-rights.js';
import { renderGroups } from './pages/groups.js';
import { renderKerberos } from './pages/kerberos.js';
import { renderLoginLog } from './pages/login-log.js';
import { renderMailboxes } from './pages/mailboxes.js';
import { renderLogin } from './pages/login.js';
import { renderClientAddresses, renderHelpers, renderLoginSecurity } from './pages/server-settings.js';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;

let me: Me | null = null;

async function loadMe(): Promise<Me | null> {
  try {
    return await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

function navigate(route: Route): void {
  const href = routeHref(route);
  if (location.hash === href) void show();
  else location.hash = href;
}

function drawChrome(): void {
  if (!me) {
    nav.replaceChildren();
    who.replaceChildren();
    document.body.classList.add('signed-out');
    return;
  }
  document.body.classList.remove('signed-out');
  const current = parseRoute(location.hash).page;
  const item = (route: Route, text: string) =>
    h('li', {}, h('a', { href: routeHref(route), 'aria-current': route.page === current ? 'page' : false }, text));
  const server = holds(me, 'Settings');
  nav.replaceChildren(
    h(
      'ul',
      {},
      item({ page: 'domains' }, 'Domains'),
      server ? item({ page: 'client-addresses' }, 'Client IP Addresses') : null,
      server ? item({ page: 'login-security' }, 'Login Security') : null,
      server ? item({ page: 'helpers' }, 'Helpers') : null,
      holds(me, 'Monitor') ? item({ page: 'login-log' }, 'Login Log') : null,
      item({ page: 'effective-rights' }, 'Effective Rights'),
    ),
  );
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => {
    api
      .logout()
      .catch(() => undefined)
      .finally(() => {
        me = null;
        navigate({ page: 'login' });
      });
  });
  who.replaceChildren(
    h('span', { class: 'account' }, me.account),
    h('span', { class: 'rights' }, me.rights.length > 0 ? me.rights.join(', ') : 'no access rights'),
    signOut,
  );
}

async function show(): Promise<void> {
  const route = parseRoute(location.hash);
  if (me === null) me = await loadMe();
  drawChrome();
  if (!me) {
    renderLogin(main, () => {
      me = null;
      void loadMe().then((m) => {
        me = m;
        if (parseRoute(location.hash).page === 'login') navigate({ page: 'domains' });
        else void show();
      });
    });
    return;
  }
  const ctx: PageContext = { main, me, navigate };
  document.title = 'Portcullis Web Admin';
  switch (route.page) {
    case 'login':
    case 'domains':
      return renderDomains(ctx);
    case 'domain':
      return renderDomainSettings(ctx, route.domain);
    case 'accounts':
      return renderAccounts(ctx, route.domain);
    case 'account':
      return renderAccountSettings(ctx, route.domain, route.account);
    case 'kerberos':
      return renderKerberos(ctx, route.domain);
    case 'groups':
      return renderGroups(ctx, route.domain);
    case 'mailboxes':
      return renderMailboxes(ctx, route.domain, route.account);
    case 'client-addresses':
      return renderClientAddresses(ctx);
    case 'login-security':
      return renderLoginSecurity(ctx);
    case 'helpers':
      return renderHelpers(ctx);
    case 'login-log':
      return renderLoginLog(ctx);
    case 'effective-rights':
      return renderEffectiveRights(ctx, route);
    case 'not-found':
      main.replaceChildren(pageHeader('Not found'), h('p', {}, `No page at ${route.path}.`));
  }
}

function showSafely(): void {
  show().catch((err: unknown) => {
    // a 401 mid-way (session expired): back to the sign-in form
    if (err instanceof ApiError && err.status === 401) {
      me = null;
      void show();
      return;
    }
    main.replaceChildren(errorPanel(err));
  });
}

window.addEventListener('hashchange', showSafely);
window.addEventListener(SIGNED_OUT_EVENT, () => {
  // only once per sign-out: the sign-in form's own calls answer 401 too
  if (me === null) return;
  me = null;
  showSafely();
});
showSafely();
