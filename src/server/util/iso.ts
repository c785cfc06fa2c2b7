/** A time in ms since the epoch as ISO 8601 UTC, or null for none: how the API and the directory carry times. */
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
