import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  '*.resumeToken',
  '*.sdp',
  '*.candidate',
  '*.credential',
  '*.password',
];

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'vigil' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
