import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { checkDirectorySpec, FILE_DIRECTORY, isDomainName } from '@portcullis/directory';

export const SERVICES = ['imap', 'pop', 'smtp', 'ldap', 'ftp', 'xmpp', 'pwd', 'http'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function isCidr(text: string): boolean {
  return ipaddr.isValidCIDR(text) || ipaddr.isValid(text);
}

const domainName = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine(isDomainName, { message: 'expected a DNS domain name' });
const cidr = z.string().refine(isCidr, { message: 'expected an IP address or CIDR (10.0.0.0/8, ::1/128)' });
const seconds = z.number().int().positive();

export const listenerSchema = z.strictObject({
  service: z.enum(SERVICES),
  port: z.number().int().min(0).max(65535),
  address: z
    .string()
    .refine((a) => isIP(a) !== 0, { message: 'expected an IP address' })
    .optional(),
  tls: z.enum(['none', 'starttls', 'implicit']).optional(),
  domain: domainName.optional(),
  grant: z.array(cidr).optional(),
  deny: z.array(cidr).optional(),
  proxyProtocol: z.boolean().optional(),
  proxyTrusted: z.array(cidr).optional(),
  idleTimeoutPreLogin: seconds.optional(),
  idleTimeoutPostLogin: seconds.optional(),
});

const tlsSchema = z
  .strictObject({
    /** 'auto', or the path of a PEM certificate (chain) */
    cert: z.string().min(1),
    key: z.string().min(1).optional(),
    /** PEM CA bundle for client certificates */
    ca: z.string().min(1).optional(),
  })
  .superRefine((tls, ctx) => {
    if (tls.cert !== 'auto' && tls.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'required when cert is a file' });
    }
  });

/** FTP passive mode behind a load balancer, and the upload limit */
const ftpSchema = z.strictObject({
  /** the IPv4 address PASV replies name; default: the address the client connected to */
  passiveAddress: z
    .string()
    .refine((a) => isIP(a) === 4, { message: 'expected an IPv4 address' })
    .optional(),
  /** where passive data sockets listen; default: the FTP listener's address */
  passiveBindAddress: z
    .string()
    .refine((a) => isIP(a) !== 0, { message: 'expected an IP address' })
    .optional(),
  passivePorts: z
    .strictObject({ min: z.number().int().min(1).max(65535), max: z.number().int().min(1).max(65535) })
    .refine((r) => r.min <= r.max, { message: 'min must not be above max' })
    .optional(),
  /** bytes one upload may write */
  maxUploadBytes: z.number().int().positive().optional(),
});

/** SMTP submission: message limits, and where accepted messages go */
const smtpSchema = z.strictObject({
  /** bytes; advertised as SIZE and enforced while reading DATA (default 25 MiB) */
  maxMessageSize: z.number().int().positive().optional(),
  /** recipients per message (default 100) */
  maxRecipients: z.number().int().positive().optional(),
  /** the spool folder; relative to dataDir; default dataDir/spool */
  spoolDir: z.string().min(1).optional(),
  /** relay every accepted message here instead of spooling it */
  smarthost: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      /** implicit TLS (465 style); otherwise STARTTLS when offered */
      secure: z.boolean().default(false),
      requireTLS: z.boolean().optional(),
      /** check the smarthost's certificate (default true) */
      rejectUnauthorized: z.boolean().optional(),
      auth: z.strictObject({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
      timeout: seconds.optional(),
    })
    .optional(),
});

/** relaying logged-in sessions to upstream servers (issue 9); all in seconds, 0 disables idle/total */
const relaySchema = z.strictObject({
  /** TCP (and implicit TLS) connect, per upstream host (default 10) */
  connectTimeout: seconds.optional(),
  /** the upstream's greeting, STARTTLS, ID/XCLIENT and login (default 15) */
  loginTimeout: seconds.optional(),
  /** a relayed session with no byte either way (default 1860: IMAP IDLE clients wait 29 minutes) */
  idleTimeout: z.number().int().min(0).optional(),
  /** a relayed session's whole life (default 86400) */
  totalTimeout: z.number().int().min(0).optional(),
});

export const DEFAULT_LISTENERS: z.input<typeof listenerSchema>[] = [
  { service: 'imap', port: 1143, tls: 'starttls' },
  { service: 'imap', port: 1993, tls: 'implicit' },
  { service: 'pop', port: 1110, tls: 'starttls' },
  { service: 'pop', port: 1995, tls: 'implicit' },
  { service: 'smtp', port: 1587, tls: 'starttls' },
  { service: 'smtp', port: 1465, tls: 'implicit' },
  { service: 'ldap', port: 1389, tls: 'starttls' },
  { service: 'ldap', port: 1636, tls: 'implicit' },
  { service: 'ftp', port: 2121, tls: 'starttls' },
  { service: 'xmpp', port: 5222, tls: 'starttls' },
  { service: 'pwd', port: 1106 },
  { service: 'http', port: 8100 },
];

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).default('./data'),
  mainDomain: domainName.default('example.test'),
  /** the name in greetings and the DIGEST-MD5 realm; mainDomain when absent */
  hostname: domainName.optional(),
  cache: z
    .string()
    .refine((c) => c === 'memory' || /^rediss?:\/\//.test(c), { message: "expected 'memory' or a redis:// URL" })
    .default('memory'),
  /** where domains and accounts live: 'files' (in dataDir) or a Redis URL */
  directory: z
    .string()
    .superRefine((spec, ctx) => {
      const problem = checkDirectorySpec(spec);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(FILE_DIRECTORY),
  tls: tlsSchema.default({ cert: 'auto' }),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  listeners: z.array(listenerSchema).default(DEFAULT_LISTENERS),
  /** processes sharing the listeners (node:cluster); auto: one per core */
  workers: z.union([z.number().int().min(1).max(1024), z.literal('auto')]).default(1),
  ftp: ftpSchema.optional(),
  smtp: smtpSchema.optional(),
  relay: relaySchema.optional(),
});

export type ListenerConfig = z.output<typeof listenerSchema>;
export type FtpConfig = z.output<typeof ftpSchema>;
export type SmtpConfig = z.output<typeof smtpSchema>;
export type RelayConfig = z.output<typeof relaySchema>;
export type RawConfig = z.output<typeof configSchema>;
