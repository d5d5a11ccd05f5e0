/** Object identifiers of the extended operations this server knows. */
export const OID = {
  /** RFC 4511 4.14: StartTLS */
  startTls: '1.3.6.1.4.1.1466.20037',
  /** RFC 4511 4.4.1: Notice of Disconnection (unsolicited) */
  noticeOfDisconnection: '1.3.6.1.4.1.1466.20036',
  /** RFC 4532: Who am I? */
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
} as const;
