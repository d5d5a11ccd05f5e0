/** Public API of the SASL mechanism modules; re-exported by the package index. */
export { createDefaultMechanisms, createMechanismRegistry, DEFAULT_MECHANISMS } from './registry.js';
export { plainMechanism, parsePlainMessage } from './plain.js';
export { loginMechanism } from './login.js';
export { externalMechanism } from './external.js';
export { cramMd5Mechanism, createCramMd5Mechanism, cramMd5Digest, type CramMd5Options } from './cram-md5.js';
export {
  digestMd5Mechanism,
  createDigestMd5Mechanism,
  digestMd5Challenge,
  digestMd5Response,
  type DigestMd5Options,
  type DigestMd5Inputs,
} from './digest-md5.js';
export {
  createScramMechanism,
  scramKeys,
  scramSha1Mechanism,
  scramSha1PlusMechanism,
  scramSha256Mechanism,
  scramSha256PlusMechanism,
  DEFAULT_SCRAM_ITERATIONS,
  type ScramHash,
  type ScramOptions,
} from './scram.js';
export {
  availableChannelBindings,
  channelBindingData,
  serverEndPointHash,
  CHANNEL_BINDING_TYPES,
  TLS_EXPORTER_LABEL,
  type ChannelBindingType,
} from './scram-channel-binding.js';
export { encodeSaslName, decodeSaslName } from './scram-messages.js';
export { ntlmMechanism, createNtlmMechanism, challengeFlags, type NtlmOptions } from './ntlm.js';
export { msnMechanism, createMsnMechanism } from './msn.js';
export { sessionIdMechanism, parseSessionIdMessage } from './sessionid.js';
export * as ntlmCrypto from './ntlm-crypto.js';
export { apopDigest, verifyApopDigest } from './apop.js';
export { decodeBase64Strict, guardSession, failure as mechanismFailure } from './outcome.js';
