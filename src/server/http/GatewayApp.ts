import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from '../observability/logger.ts';

/** The gateway's Fastify instance: HTTPS with our pino logger. */
export type GatewayApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

/** The `/api` plugin's instance: route schemas are zod schemas, and handlers see their parsed output. */
export type ApiApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;
