import { describe, expect, it } from 'vitest';
import type { AuthenticatorOptions } from '../src/service/options.js';
import { createMechanismRegistry, DEFAULT_MECHANISMS } from '../src/sasl/registry.js';
import type { Mechanism } from '../src/sasl/mechanism.js';
import { addAccount, conn, MAIN, world } from './auth-helpers.js';

/**
 * Stands in for packages/kerberos' GSSAPI (which needs a real ticket): its one message is
 * `address|keyDomain|authzid`, as if a ticket checked with keyDomain's key had proved address.
 */
const ticketStandIn: Mechanism = {
  name: 'GSSAPI',
  cleartext: false,
  credential: 'none',
  loginMethod: 'GSSAPI',
  create: (ctx) => ({
    step: async (input) => {
      const [address = '', keyDomain = '', authzid = ''] = (input ?? Buffer.alloc(0)).toString().split('|');
      return ctx.completeKerberosLogin!(address, keyDomain, authzid || undefined);
    },
  }),
};

function setup(options: Partial<AuthenticatorOptions> = {}) {
  const w = world({ mechanisms: createMechanismRegistry([...DEFAULT_MECHANISMS, ticketStandIn]), ...options });
  addAccount(w, `alice@${MAIN}`, {});
  addAccount(w, `bob@${MAIN}`, {});
  addAccount(w, `nokrb@${MAIN}`, { allowKerberos: false });
  addAccount(w, `poponly@${MAIN}`, { enabledServices: ['pop'] });
  addAccount(w, 'carol@other.test', {});
  return w;
}

async function login(w: ReturnType<typeof setup>, message: string) {
  return w.auth.startSasl('GSSAPI', conn())!.step(Buffer.from(message));
}

describe('completeKerberosLogin', () => {
  it('logs in the account the ticket proved, in the key domain', async () => {
    expect(await login(setup(), `alice@${MAIN}|${MAIN}|`)).toMatchObject({
      kind: 'success',
      success: { authcid: `alice@${MAIN}`, authzid: `alice@${MAIN}`, mechanism: 'GSSAPI' },
    });
  });

  it('refuses an account of another domain than the key, an unknown account, and a tagged name', async () => {
    const w = setup();
    expect(await login(w, `carol@other.test|${MAIN}|`)).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
    expect(await login(w, `nobody@${MAIN}|${MAIN}|`)).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
    expect(await login(w, `alice$tag@${MAIN}|${MAIN}|`)).toMatchObject({ kind: 'failure', failure: { code: 'unknown-account' } });
  });

  it('refuses an account with allowKerberos off, and a service the account may not use', async () => {
    const w = setup();
    expect(await login(w, `nokrb@${MAIN}|${MAIN}|`)).toMatchObject({ kind: 'failure', failure: { code: 'unsupported-credential' } });
    expect(await login(w, `poponly@${MAIN}|${MAIN}|`)).toMatchObject({ kind: 'failure', failure: { code: 'service-disabled' } });
  });

  it('passes another authzid to the canImpersonate hook', async () => {
    expect(await login(setup(), `alice@${MAIN}|${MAIN}|bob@${MAIN}`)).toMatchObject({ kind: 'failure', failure: { code: 'impersonation-denied' } });
    const asked: string[] = [];
    const w = setup({ canImpersonate: async (authc, target) => (asked.push(`${authc.name}->${target}`), true) });
    expect(await login(w, `alice@${MAIN}|${MAIN}|bob`)).toMatchObject({
      kind: 'success',
      success: { authcid: `alice@${MAIN}`, authzid: `bob@${MAIN}` },
    });
    expect(asked).toEqual([`alice->bob@${MAIN}`]);
  });
});
