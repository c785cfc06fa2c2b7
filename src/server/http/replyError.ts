import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { errorCatalogue, protocolError, type ErrorCode } from '../../shared/index.ts';
import { CodedError } from '../util/CodedError.ts';
import type { GatewayApp } from './GatewayApp.ts';

/** Answers `{ error: { code, message, retryAfterSeconds? } }` with the catalogue's HTTP status. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('Retry-After', String(retryAfterSeconds));
  const error = { ...protocolError(code, message), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  return reply.code(errorCatalogue[code].httpStatus).send({ error });
}

/**
 * Fastify's own refusals in our catalogue. Each keeps Fastify's status (413 and 415 say more than
 * a bare 400), so a client can tell a body too large from one of the wrong type; a 4xx not named
 * here is a request Fastify could not take either, and is PAYLOAD_INVALID too.
 */
export const FASTIFY_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_VALIDATION: 'PAYLOAD_INVALID',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PAYLOAD_INVALID',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PAYLOAD_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PAYLOAD_INVALID',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PAYLOAD_INVALID',
};

/** A schema refusal names the first bad field, as `field: reason` (`request:` for the whole body). */
function validationMessage(error: FastifyError): string {
  const first = hasZodFastifySchemaValidationErrors(error) ? error.validation[0] : undefined;
  if (!first) return error.message;
  const where = first.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'request';
  return `${where}: ${first.message}`;
}

/**
 * The one error handler: Fastify's refusals become catalogue errors; a CodedError is answered with
 * its own code (logged as a warning); anything else is our failure, logged with the request and
 * answered INTERNAL without its details.
 */
export function replyWithCatalogueError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof CodedError) {
    request.log.warn({ err: error, code: error.code }, 'request refused');
    return sendError(reply, error.code, error.message);
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'INTERNAL');
  }
  const code = FASTIFY_ERROR_CODES[error.code] ?? 'PAYLOAD_INVALID';
  const message = error.code === 'FST_ERR_VALIDATION' ? validationMessage(error) : error.message;
  return reply.code(status).send({ error: protocolError(code, message) });
}

/** Outside /api (pages, health, metrics): the same error answers, and a plain-text 404. */
export function registerRootReplies(app: GatewayApp): void {
  app.setErrorHandler(replyWithCatalogueError);
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain').send('Not found\n'));
}
