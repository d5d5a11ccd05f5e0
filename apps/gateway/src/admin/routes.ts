/**
 * The admin API under /api/v1 (contract: the admin HTTP contract shared with the web admin).
 * Every route resolves the caller (a WebUser session, or Basic/Negotiate through the same
 * authenticator as every protocol: request-identity.ts), then the service checks the caller's
 * access rights. Bodies are checked with zod; errors are `{ "error": text }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteRegistrar } from '@portcullis/http';
import { z } from 'zod';
import { authenticateRequest } from '../web/request-identity.js';
import * as accounts from './accounts.js';
import { effectiveRightsFor } from './acl-effective.js';
import { visibleDomains } from './access.js';
import { callerFor, type Caller } from './caller.js';
import type { AdminDeps } from './deps.js';
import * as domains from './domains.js';
import * as groups from './groups.js';
import { AdminError, badRequest } from './errors.js';
import * as keys from './kerberos-keys.js';
import * as listeners from './listeners.js';
import * as mailboxAcl from './mailbox-acl.js';
import * as monitoring from './monitoring.js';
import * as rights from './rights.js';
import * as server from './server-settings.js';

export const ADMIN_PREFIX = '/api/v1';

/** a base64 keytab may be larger than the app's default body limit */
const KEYTAB_BODY_LIMIT = 1024 * 1024;

const settingsObject = z.record(z.string(), z.unknown());
const password = z.string().min(1).max(1024);

const schemas = {
  createDomain: z.strictObject({ name: z.string().min(1).max(253), settings: settingsObject.optional() }),
  patchSettings: z.strictObject({ settings: settingsObject }),
  deleteDomain: z.object({ force: z.enum(['true', 'false']).optional() }),
  createAccount: z.strictObject({ name: z.string().min(1).max(256), password: password.optional(), settings: settingsObject.optional() }),
  patchAccount: z.strictObject({ settings: settingsObject.optional(), password: password.optional() }),
  rights: z.strictObject({ rights: z.array(z.string().max(64)).max(32) }),
  // null: back to the config file's list
  listener: z.strictObject({
    grant: z.array(z.string().max(64)).max(1000).nullable().optional(),
    deny: z.array(z.string().max(64)).max(1000).nullable().optional(),
  }),
  keytab: z.strictObject({ keytab: z.string().min(1).max(KEYTAB_BODY_LIMIT) }),
  deleteKeys: z.strictObject({ ids: z.array(z.string().min(1).max(128)).min(1).max(1000) }),
  loginLog: z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    account: z.string().max(512).optional(),
    ok: z.enum(['true', 'false']).optional(),
  }),
  lockout: z.object({ key: z.string().min(1).max(512) }),
  sessions: z.object({ account: z.string().max(512).optional() }),
  group: z.strictObject({ members: z.array(z.string().min(1).max(512)).max(10_000) }),
  effective: z.object({ account: z.string().min(3).max(512), mailbox: z.string().min(3).max(2048) }),
  mailboxQuery: z.object({ mailbox: z.string().min(1).max(1024) }),
  mailboxAclDelete: z.object({ mailbox: z.string().min(1).max(1024), identifier: z.string().min(1).max(512) }),
  mailboxAclSet: z.strictObject({ identifier: z.string().min(1).max(512), rights: z.string().max(64) }),
};

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`${where}${issue?.message ?? 'bad request body'}`);
}

type Params = Record<string, string>;

async function callerOf(deps: AdminDeps, request: FastifyRequest): Promise<Caller> {
  const auth = await authenticateRequest(request);
  if (!auth.ok) throw new AdminError(auth.status, auth.error);
  return callerFor(deps.store, deps.config.mainDomain, auth.caller.account, auth.caller.via);
}

export function adminRoutes(deps: AdminDeps): RouteRegistrar {
  return async (root: FastifyInstance) => {
    await root.register(
      async (app) => {
        app.setErrorHandler((err: unknown, request, reply) => {
          if (err instanceof AdminError) return reply.code(err.status).send({ error: err.message });
          const status = (err as { statusCode?: unknown }).statusCode;
          // fastify's own refusals (bad JSON, body too large, wrong content type)
          if (typeof status === 'number' && status >= 400 && status < 500) {
            return reply.code(status).send({ error: (err as Error).message });
          }
          request.log.error({ err }, 'admin API error');
          return reply.code(500).send({ error: 'internal error' });
        });
        // Bodies must be JSON: a browser that cached Basic credentials would send them along with
        // a cross-site HTML form (urlencoded), but never with a cross-site JSON request (preflight).
        app.addHook('preValidation', async (request) => {
          if (request.method === 'GET' || request.method === 'DELETE' || request.method === 'HEAD') return;
          const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (type !== 'application/json') throw new AdminError(415, 'the body must be JSON (Content-Type: application/json)');
        });
        app.addHook('onSend', async (_request, reply, payload) => {
          reply.header('Cache-Control', 'no-store');
          return payload;
        });

        /** A route whose handler gets the caller; the answer is JSON (or 204 for undefined). */
        const route = (
          method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
          url: string,
          handler: (caller: Caller, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
          options: { bodyLimit?: number } = {},
        ): void => {
          app.route({
            method,
            url,
            ...options,
            handler: async (request, reply) => {
              const caller = await callerOf(deps, request);
              const result = await handler(caller, request, reply);
              if (result === undefined) return reply.code(204).send();
              return reply.send(result);
            },
          });
        };
        const p = (request: FastifyRequest): Params => request.params as Params;

        route('GET', '/me', async (caller) => ({
          account: caller.account,
          via: caller.via,
          rights: caller.rights,
          domains: visibleDomains(caller, await deps.store.listDomains()).sort(),
        }));

        // domains
        route('GET', '/domains', async (caller) => ({ domains: await domains.listDomains(deps, caller) }));
        route('POST', '/domains', async (caller, request, reply) => {
          const body = parse(schemas.createDomain, request.body);
          reply.code(201);
          return domains.createDomain(deps, caller, body.name, body.settings);
        });
        route('GET', '/domains/:domain', async (caller, request) => domains.getDomain(deps, caller, p(request)['domain']!));
        route('PATCH', '/domains/:domain', async (caller, request) =>
          domains.updateDomain(deps, caller, p(request)['domain']!, parse(schemas.patchSettings, request.body).settings),
        );
        route('DELETE', '/domains/:domain', async (caller, request) =>
          domains.deleteDomain(deps, caller, p(request)['domain']!, parse(schemas.deleteDomain, request.query).force === 'true'),
        );

        // accounts
        route('GET', '/domains/:domain/accounts', async (caller, request) => ({
          accounts: await accounts.listAccounts(deps, caller, p(request)['domain']!),
        }));
        route('POST', '/domains/:domain/accounts', async (caller, request, reply) => {
          const body = parse(schemas.createAccount, request.body);
          reply.code(201);
          return accounts.createAccount(deps, caller, p(request)['domain']!, body);
        });
        route('GET', '/domains/:domain/accounts/:name', async (caller, request) =>
          accounts.getAccount(deps, caller, p(request)['domain']!, p(request)['name']!),
        );
        route('PATCH', '/domains/:domain/accounts/:name', async (caller, request) =>
          accounts.updateAccount(deps, caller, p(request)['domain']!, p(request)['name']!, parse(schemas.patchAccount, request.body)),
        );
        route('DELETE', '/domains/:domain/accounts/:name', async (caller, request) =>
          accounts.deleteAccount(deps, caller, p(request)['domain']!, p(request)['name']!),
        );
        // DESIGN.md's short form: /api/v1/accounts/user@domain
        route('GET', '/accounts/:address', async (caller, request) => {
          const address = p(request)['address']!;
          const at = address.lastIndexOf('@');
          const [name, domain] = at < 0 ? [address, deps.config.mainDomain] : [address.slice(0, at), address.slice(at + 1)];
          return accounts.getAccount(deps, caller, domain, name);
        });

        // access rights
        route('GET', '/domains/:domain/accounts/:name/rights', async (caller, request) =>
          rights.getRights(deps, caller, p(request)['domain']!, p(request)['name']!),
        );
        route('PUT', '/domains/:domain/accounts/:name/rights', async (caller, request) =>
          rights.setRights(deps, caller, p(request)['domain']!, p(request)['name']!, parse(schemas.rights, request.body).rights),
        );

        // server settings and listeners
        route('GET', '/server', async (caller) => server.getServerSettings(deps, caller));
        route('PATCH', '/server', async (caller, request) => server.updateServerSettings(deps, caller, parse(schemas.patchSettings, request.body).settings));
        route('GET', '/listeners', async (caller) => ({ listeners: await listeners.listListeners(deps, caller) }));
        route('PATCH', '/listeners/:name', async (caller, request) =>
          listeners.updateListener(deps, caller, p(request)['name']!, parse(schemas.listener, request.body)),
        );

        // Kerberos keys
        route('GET', '/domains/:domain/kerberos-keys', async (caller, request) => ({
          keys: await keys.listKerberosKeys(deps, caller, p(request)['domain']!),
        }));
        route(
          'POST',
          '/domains/:domain/kerberos-keys',
          async (caller, request) => keys.importKerberosKeys(deps, caller, p(request)['domain']!, parse(schemas.keytab, request.body).keytab),
          { bodyLimit: KEYTAB_BODY_LIMIT * 2 },
        );
        route('POST', '/domains/:domain/kerberos-keys/delete', async (caller, request) =>
          keys.deleteKerberosKeys(deps, caller, p(request)['domain']!, parse(schemas.deleteKeys, request.body).ids),
        );

        // groups and the effective-rights calculator
        route('GET', '/domains/:domain/groups', async (caller, request) => ({
          groups: await groups.listGroups(deps, caller, p(request)['domain']!),
        }));
        route('PUT', '/domains/:domain/groups/:group', async (caller, request) =>
          groups.setGroup(deps, caller, p(request)['domain']!, p(request)['group']!, parse(schemas.group, request.body).members),
        );
        route('DELETE', '/domains/:domain/groups/:group', async (caller, request) =>
          groups.deleteGroup(deps, caller, p(request)['domain']!, p(request)['group']!),
        );
        route('GET', '/acl/effective', async (caller, request) => {
          const q = parse(schemas.effective, request.query);
          return effectiveRightsFor(deps, caller, q.account, q.mailbox);
        });

        // an account's mailboxes and their ACLs (the mailbox name is a query parameter: it may hold '/')
        route('GET', '/domains/:domain/accounts/:name/mailboxes', async (caller, request) =>
          mailboxAcl.listAccountMailboxes(deps, caller, p(request)['domain']!, p(request)['name']!),
        );
        route('GET', '/domains/:domain/accounts/:name/mailboxes/acl', async (caller, request) =>
          mailboxAcl.readMailboxAcl(deps, caller, p(request)['domain']!, p(request)['name']!, parse(schemas.mailboxQuery, request.query).mailbox),
        );
        route('PUT', '/domains/:domain/accounts/:name/mailboxes/acl', async (caller, request) => {
          const { mailbox } = parse(schemas.mailboxQuery, request.query);
          const body = parse(schemas.mailboxAclSet, request.body);
          return mailboxAcl.changeMailboxAcl(deps, caller, p(request)['domain']!, p(request)['name']!, mailbox, body.identifier, body.rights);
        });
        route('DELETE', '/domains/:domain/accounts/:name/mailboxes/acl', async (caller, request) => {
          const q = parse(schemas.mailboxAclDelete, request.query);
          return mailboxAcl.removeMailboxAcl(deps, caller, p(request)['domain']!, p(request)['name']!, q.mailbox, q.identifier);
        });

        // monitoring
        route('GET', '/login-log', async (caller, request) => {
          const q = parse(schemas.loginLog, request.query);
          const entries = await monitoring.loginLog(deps, caller, {
            limit: q.limit,
            account: q.account || undefined,
            ok: q.ok === undefined ? undefined : q.ok === 'true',
          });
          return { entries };
        });
        route('GET', '/lockout', async (caller, request) => monitoring.lockoutStatus(deps, caller, parse(schemas.lockout, request.query).key));
        route('DELETE', '/lockout', async (caller, request) => monitoring.unlock(deps, caller, parse(schemas.lockout, request.query).key));
        route('GET', '/sessions', async (caller, request) => ({
          sessions: await monitoring.listSessions(deps, caller, parse(schemas.sessions, request.query).account),
        }));
        route('DELETE', '/sessions/:id', async (caller, request) => monitoring.closeSession(deps, caller, p(request)['id']!));
      },
      { prefix: ADMIN_PREFIX },
    );
  };
}
