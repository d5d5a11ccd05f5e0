/**
 * SASL NTLM (MS-NLMP, as Microsoft mail clients and curl speak it over AUTH): the client sends
 * NEGOTIATE, the server answers CHALLENGE with a fresh 8-byte challenge, the client proves the
 * password in AUTHENTICATE. NTLMv2 is always accepted; NTLMv1 and the NTLM2 session response only
 * for accounts with `allowNTLMv1`. The login name is the AUTHENTICATE user name as sent; the
 * NTLM domain there is a Windows (NetBIOS) domain, not a mail domain, so it only enters the hash.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoginMethod } from '../settings.js';
import type { Mechanism, MechanismContext, MechanismStep } from './mechanism.js';
import { challenge, failure, guardSession, malformed } from './outcome.js';
import {
  lmv2Response,
  ntlm2SessionResponse,
  ntlmv1Response,
  ntowfv1,
  ntowfv2,
  ntProofStr,
} from './ntlm-crypto.js';
import {
  AvId,
  avPairs,
  buildChallenge,
  fileTime,
  NtlmFlag,
  NtlmFormatError,
  parseAuthenticate,
  parseNegotiate,
  type AuthenticateMessage,
} from './ntlm-messages.js';

/** An AUTHENTICATE with target info echoed and a MIC fits well inside this. */
const MAX_INPUT = 8192;
/** RespType, HiRespType, reserved, timestamp, client challenge, reserved: the smallest v2 blob. */
const MIN_V2_BLOB = 28;

export interface NtlmOptions {
  /** SASL name: 'NTLM', or 'MSN' for the same exchange under Microsoft's other name */
  name?: string;
  loginMethod?: LoginMethod;
  /** test hook: the 8-byte server challenge (default: random) */
  makeServerChallenge?: () => Buffer;
  /** test hook: clock for the target info timestamp */
  now?: () => number;
}

/** The flags the server answers with: what it can do of what the client asked. */
export function challengeFlags(clientFlags: number): number {
  let flags = NtlmFlag.NTLM | NtlmFlag.TARGET_INFO | NtlmFlag.REQUEST_TARGET | NtlmFlag.TARGET_TYPE_DOMAIN;
  // Unicode when the client offers it, else the OEM charset (curl offers only OEM).
  flags |= clientFlags & NtlmFlag.UNICODE ? NtlmFlag.UNICODE : NtlmFlag.OEM;
  for (const f of [NtlmFlag.ALWAYS_SIGN, NtlmFlag.EXTENDED_SESSIONSECURITY, NtlmFlag.VERSION, NtlmFlag.N128, NtlmFlag.N56]) {
    if (clientFlags & f) flags |= f;
  }
  return flags >>> 0;
}

/** NetBIOS form of a DNS name: its first label, upper case, at most 15 characters. */
function netbios(dnsName: string): string {
  return (dnsName.split('.')[0] ?? dnsName).toUpperCase().slice(0, 15);
}

function targetNames(ctx: MechanismContext): { computer: string; domain: string } {
  const computer = ctx.conn.serverName || 'localhost';
  const dot = computer.indexOf('.');
  const domain = ctx.conn.listenerDomain ?? (dot > 0 ? computer.slice(dot + 1) : computer);
  return { computer, domain };
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Issued {
  serverChallenge: Buffer;
  flags: number;
}

/**
 * NTLMv2: the NTProofStr, or failing that the LMv2 response. Like Samba, the hash is tried with
 * the domain as sent, upper-cased and empty, since clients disagree on which one they hash.
 */
function verifyV2(secret: string, m: AuthenticateMessage, issued: Issued): boolean {
  const proof = m.ntResponse.subarray(0, 16);
  const blob = m.ntResponse.subarray(16);
  const domains = [...new Set([m.domain, m.domain.toUpperCase(), ''])];
  let ok = false;
  for (const domain of domains) {
    const key = ntowfv2(secret, m.user, domain);
    // No early exit, so the time taken does not say which variant matched.
    if (equal(ntProofStr(key, issued.serverChallenge, blob), proof)) ok = true;
    if (m.lmResponse.length === 24 && equal(lmv2Response(key, issued.serverChallenge, m.lmResponse.subarray(16)), m.lmResponse)) ok = true;
  }
  return ok;
}

/** NTLMv1, or the NTLM2 session response when the LM field carries a client challenge. */
function verifyV1(secret: string, m: AuthenticateMessage, issued: Issued): boolean {
  const key = ntowfv1(secret);
  let ok = equal(ntlmv1Response(key, issued.serverChallenge), m.ntResponse);
  const lm = m.lmResponse;
  if (lm.length === 24 && lm.subarray(8).every((b) => b === 0)) {
    if (equal(ntlm2SessionResponse(key, issued.serverChallenge, lm.subarray(0, 8)), m.ntResponse)) ok = true;
  }
  return ok;
}

export function createNtlmMechanism(options: NtlmOptions = {}): Mechanism {
  const name = options.name ?? 'NTLM';
  const makeServerChallenge = options.makeServerChallenge ?? (() => randomBytes(8));
  const now = options.now ?? Date.now;
  return {
    name,
    cleartext: false,
    credential: 'stored-secret',
    loginMethod: options.loginMethod ?? 'NTLM',
    create(ctx: MechanismContext) {
      let askedForNegotiate = false;
      let issued: Issued | null = null;

      const negotiate = (input: Buffer): MechanismStep => {
        const { flags: clientFlags } = parseNegotiate(input);
        const flags = challengeFlags(clientFlags);
        const names = targetNames(ctx);
        const serverChallenge = makeServerChallenge();
        if (serverChallenge.length !== 8) throw new Error('server challenge must be 8 bytes');
        const targetInfo = avPairs([
          [AvId.NB_DOMAIN_NAME, netbios(names.domain)],
          [AvId.NB_COMPUTER_NAME, netbios(names.computer)],
          [AvId.DNS_DOMAIN_NAME, names.domain],
          [AvId.DNS_COMPUTER_NAME, names.computer],
          [AvId.TIMESTAMP, fileTime(now())],
        ]);
        issued = { serverChallenge, flags };
        return challenge(buildChallenge({ flags, serverChallenge, targetName: netbios(names.domain), targetInfo }));
      };

      const authenticate = async (input: Buffer, sent: Issued): Promise<MechanismStep> => {
        const m = parseAuthenticate(input, (sent.flags & NtlmFlag.UNICODE) !== 0);
        const anonymous =
          m.user === '' || ((m.flags ?? 0) & NtlmFlag.ANONYMOUS) !== 0 || m.ntResponse.length === 0;
        if (anonymous) return failure('bad-credentials', `${name}: anonymous logins are not accepted`);
        const v2 = m.ntResponse.length > 24;
        if (v2 && m.ntResponse.length < 16 + MIN_V2_BLOB) return malformed(name, 'NTLMv2 response too short');
        if (!v2 && m.ntResponse.length !== 24) return malformed(name, 'NT response has a wrong length');
        const lookup = await ctx.lookupSecret(m.user);
        if (!lookup.ok) return { kind: 'failure', failure: lookup.failure };
        if (!v2 && lookup.allowNTLMv1 !== true) {
          // Not counted as a failed login: the client chose a protocol version, not a password.
          return failure('mechanism-unavailable', `${name}: NTLMv1 is not accepted here; use NTLMv2`);
        }
        const ok = v2 ? verifyV2(lookup.secret, m, sent) : verifyV1(lookup.secret, m, sent);
        return ok ? ctx.completeSecretLogin(lookup.authcid) : ctx.failSecretLogin(lookup.authcid);
      };

      return guardSession(
        name,
        async (input): Promise<MechanismStep> => {
          try {
            if (issued === null) {
              if (input === null || input.length === 0) {
                // No initial response: ask for the NEGOTIATE message, once.
                if (askedForNegotiate) return malformed(name, 'expected a NEGOTIATE message');
                askedForNegotiate = true;
                return challenge(Buffer.alloc(0));
              }
              return negotiate(input);
            }
            if (input === null) return malformed(name, 'expected an AUTHENTICATE message');
            return await authenticate(input, issued);
          } catch (err) {
            if (err instanceof NtlmFormatError) return malformed(name, err.message);
            throw err;
          }
        },
        MAX_INPUT,
      );
    },
  };
}

export const ntlmMechanism: Mechanism = createNtlmMechanism();
