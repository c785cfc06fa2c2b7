import type { ErrorCode } from '../../shared/index.ts';

/**
 * A failure that already knows its catalogue code: the API's one error handler answers it with
 * that code and its status (see replyWithCatalogueError), so a route need not catch it to say it.
 */
export class CodedError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}
