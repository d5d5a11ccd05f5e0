/** The FEAT list (RFC 2389) and the HELP text. */

export function featureLines(facts: { tlsAvailable: boolean }): string[] {
  const lines: string[] = [];
  if (facts.tlsAvailable) lines.push('AUTH TLS', 'PBSZ', 'PROT');
  lines.push('EPSV', 'PASV', 'MDTM', 'SIZE', 'REST STREAM', 'MLST type*;size*;modify*;perm*;', 'TVFS', 'UTF8');
  return lines;
}

export const IMPLEMENTED_COMMANDS = [
  'USER', 'PASS', 'AUTH', 'PBSZ', 'PROT', 'FEAT', 'SYST', 'PWD', 'XPWD', 'CWD', 'XCWD', 'CDUP', 'XCUP',
  'LIST', 'NLST', 'MLSD', 'MLST', 'SIZE', 'MDTM', 'RETR', 'STOR', 'APPE', 'DELE', 'MKD', 'XMKD', 'RMD',
  'XRMD', 'RNFR', 'RNTO', 'PASV', 'EPSV', 'TYPE', 'MODE', 'STRU', 'NOOP', 'OPTS', 'QUIT', 'ABOR', 'REST',
  'STAT', 'HELP', 'ALLO',
];
