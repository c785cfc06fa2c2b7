/** 24-hour wall-clock times on the screen's time zone, as the console shows them ("offline since 14:05"). */
const HHMM: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const HHMMSS: Intl.DateTimeFormatOptions = { ...HHMM, second: '2-digit' };

export const hhmm = (at: Date | string | number): string => new Date(at).toLocaleTimeString([], HHMM);
export const hhmmss = (at: Date | string | number): string => new Date(at).toLocaleTimeString([], HHMMSS);
