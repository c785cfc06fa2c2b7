import type { Budget } from './types.ts';

/** A plain-text table with aligned columns; numbers right-aligned. */
export function renderTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined) => (value === undefined ? '' : typeof value === 'number' && !Number.isFinite(value) ? '–' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[], numeric: boolean[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === undefined));
  return [
    line(columns, numeric.map(() => false)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])), numeric)),
  ].join('\n');
}

export function budgetLine(b: Budget): string {
  const figure = Number.isFinite(b.figure) ? String(Number(b.figure.toFixed(2))) : 'not measured';
  return `${b.met ? 'MET   ' : 'MISSED'} ${b.name}: ${figure} ${b.unit} (budget ${b.budget} ${b.unit})`;
}
