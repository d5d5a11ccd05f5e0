/**
 * One fastify app for every http listener. It never listens itself: the listeners accept,
 * apply PROXY and Grant/Deny, and hand each socket over (see http-listener.ts).
 */
import http from 'node:http';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Adds routes (or hooks, or plugins) to the app; issue 8's /session and admin API plug in the same way. */
export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

export interface HttpAppOptions {
  routes: readonly RouteRegistrar[];
  logger?: Logger;
  /** request body limit in bytes (default 64 KiB: nothing here takes uploads) */
  bodyLimit?: number;
}

export interface HttpApp {
  readonly fastify: FastifyInstance;
  /** the node http server the sockets are fed to */
  readonly server: http.Server;
  /** serve HTTP on an accepted socket (already past PROXY, Grant/Deny and TLS) */
  handleConnection(socket: import('node:net').Socket): void;
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  let server: http.Server | undefined;
  // typed as fastify's base logger so that the app is a plain FastifyInstance for the registrars
  const loggerInstance: FastifyBaseLogger | undefined = options.logger?.child({ service: 'http' });
  const app: FastifyInstance = fastify({
    // the server is only ever fed sockets; fastify's own listen() is never called
    serverFactory: (handler) => {
      server = http.createServer(handler);
      return server;
    },
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    // health checks arrive every few seconds from each balancer; one line each would drown the log
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    return503OnClosing: true,
  });
  for (const register of options.routes) await register(app);
  await app.ready();
  const httpServer = server;
  if (!httpServer) throw new Error('fastify did not call serverFactory');
  // Node starts its per-connection bookkeeping (headersTimeout, requestTimeout,
  // closeIdleConnections) on 'listening'; this server never listens, so start it by hand.
  httpServer.emit('listening');
  return {
    fastify: app,
    server: httpServer,
    handleConnection(socket) {
      httpServer.emit('connection', socket);
    },
    async close() {
      await app.close();
    },
  };
}
