/** The pure LDAP codec: framing, BER messages, filters, DNs. No I/O. */
export { BerError } from './ber.js';
export { decodeMessage } from './decode.js';
export { encodeMessage, noticeOfDisconnection } from './encode.js';
export { decodeFilter, encodeFilter, filterToString, MAX_FILTER_DEPTH, type Filter } from './filter.js';
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  FrameError,
  readFrameHeader,
  splitFrames,
  type FrameHeader,
  type FrameProblem,
} from './frame.js';
export { domainDn, domainOfDn, escapeDnValue, normalizeDn, parseDn, type Ava, type Rdn } from './dn.js';
export * from './messages.js';
export { OID } from './oids.js';
export { ResultCode, type ResultCodeName } from './result-codes.js';
