/** Types for the test support code that shares these helpers with `npm test`'s set-up. */
export const CHROMIUM_PATH: string;
export function postgresBinDir(): string | null;
export function ensureTestPackages(log: (line: string) => void): void;
