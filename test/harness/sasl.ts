/** Client halves of the SASL mechanisms the tests speak by hand. */
import crypto from 'node:crypto';

export function plainResponse(user: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\0${user}\0${password}`, 'utf8');
}

export function cramMd5Response(user: string, password: string, challenge: Buffer): Buffer {
  const digest = crypto.createHmac('md5', password).update(challenge).digest('hex');
  return Buffer.from(`${user} ${digest}`, 'utf8');
}

export function apopDigest(timestamp: string, password: string): string {
  return crypto.createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}

/** Responder for a SASL exchange: server challenge in, client response out. */
export type Responder = (challenge: Buffer, step: number) => Buffer | string;

export function cramResponder(user: string, password: string): Responder {
  return (challenge) => cramMd5Response(user, password, challenge);
}

export function plainResponder(user: string, password: string): Responder {
  return () => plainResponse(user, password);
}

/** AUTH=LOGIN: the first challenge asks for the user name, the second for the password. */
export function loginResponder(user: string, password: string): Responder {
  return (_c, step) => (step === 0 ? user : password);
}
