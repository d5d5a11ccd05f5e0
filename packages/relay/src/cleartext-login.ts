/**
 * Passthrough replays the client's own name and password to an upstream, so a protocol session
 * that relays must see them. The cleartext commands (IMAP LOGIN, POP3 USER/PASS) show them
 * plainly; inside SASL only PLAIN and LOGIN carry them, and this reads them from the client's
 * responses of such an exchange. Every other mechanism ends at the gateway: no password exists.
 */

/** mechanisms whose client responses hold the cleartext password */
export const CLEARTEXT_MECHANISMS: ReadonlySet<string> = new Set(['PLAIN', 'LOGIN']);

export interface CleartextLogin {
  /** the name the client authenticated as (not an authorization identity) */
  loginName: string;
  password: string;
  /** PLAIN's authorization identity, '' when none was given */
  authzid: string;
}

/**
 * The client's login from the responses of a PLAIN or LOGIN exchange, in the order sent (the
 * initial response first), undefined for other mechanisms or incomplete/malformed responses.
 */
export function cleartextFromSasl(mechanism: string, responses: readonly Buffer[]): CleartextLogin | undefined {
  switch (mechanism.toUpperCase()) {
    case 'PLAIN': {
      const first = responses[0];
      if (!first) return undefined;
      // RFC 4616: authzid NUL authcid NUL passwd, each UTF-8
      const parts = first.toString('utf8').split('\0');
      if (parts.length !== 3) return undefined;
      const [authzid = '', loginName = '', password = ''] = parts;
      return loginName === '' ? undefined : { loginName, password, authzid };
    }
    case 'LOGIN': {
      // the user name, then the password, each on its own challenge (or the name as initial response)
      const [name, password] = responses;
      if (!name || !password) return undefined;
      return { loginName: name.toString('utf8'), password: password.toString('utf8'), authzid: '' };
    }
    default:
      return undefined;
  }
}

/** The part of a SASL exchange the recorder wraps (auth-core's SaslExchange fits it). */
export interface SteppedExchange<Step, Cancel> {
  readonly mechanism: string;
  step(input: Buffer | null): Step;
  cancel(): Cancel;
}

export interface RecordedExchange<Step, Cancel> {
  /** what the session runs: `exchange` itself, or a wrapper keeping the client's responses */
  exchange: SteppedExchange<Step, Cancel>;
  /**
   * The cleartext login the responses held, once the exchange ended; read once: the responses
   * (the password) are dropped then, not kept for the relayed session's lifetime.
   */
  cleartext(): CleartextLogin | undefined;
}

/**
 * The exchange a protocol session runs: when it may relay (passthrough replays the client's own
 * password) and the mechanism is PLAIN or LOGIN, the client's responses are kept; otherwise the
 * exchange is run as it is and no password exists.
 */
export function recordCleartext<Step, Cancel>(
  exchange: SteppedExchange<Step, Cancel>,
  relaying: boolean,
): RecordedExchange<Step, Cancel> {
  const mechanism = exchange.mechanism.toUpperCase();
  if (!relaying || !CLEARTEXT_MECHANISMS.has(mechanism)) return { exchange, cleartext: () => undefined };
  const responses: Buffer[] = [];
  return {
    exchange: {
      mechanism: exchange.mechanism,
      step: (input) => {
        if (input) responses.push(input);
        return exchange.step(input);
      },
      cancel: () => exchange.cancel(),
    },
    cleartext: () => {
      const login = cleartextFromSasl(mechanism, responses);
      responses.length = 0;
      return login;
    },
  };
}
