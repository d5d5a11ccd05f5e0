/** Where an accepted message goes: the session streams it into a MessageWriter. */

export interface Envelope {
  /** the queue id, also in the Received header */
  id: string;
  /** '' for the null reverse-path */
  from: string;
  to: string[];
  /** the account the client authenticated as (authzid) and the credentials' owner (authcid) */
  account: string;
  authcid: string;
  clientAddress: string;
  helo: string;
  body: '7BIT' | '8BITMIME';
  smtputf8: boolean;
  receivedAt: Date;
}

export interface MessageWriter {
  /** resolves when the bytes are accepted (back-pressure) */
  write(chunk: Buffer): Promise<void>;
  /**
   * The whole message was written: deliver it. Resolves with a short text for the 250 reply;
   * rejects with a DeliveryError (or anything else: a temporary failure).
   */
  commit(): Promise<string>;
  /** forget the message: nothing of it may stay behind */
  abort(): Promise<void>;
}

export interface MessageSink {
  open(envelope: Envelope): Promise<MessageWriter>;
}

/** A delivery refusal the client should see; `permanent` picks 5xx over 4xx. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}
