export { createHttpApp, DEFAULT_BODY_LIMIT, type HttpApp, type HttpAppOptions, type RouteRegistrar } from './app.js';
export { startHttpListener, HttpListenerError, type HttpListenerDeps } from './http-listener.js';
export { healthRoutes, type HealthSource, type Readiness } from './health.js';
export { metricsRoute, type MetricsSource } from './metrics-route.js';
export { clientInfo, type HttpClientInfo } from './client-info.js';
export type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
