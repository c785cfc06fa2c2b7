/**
 * A headed table with columns padded to their widest cell, for people reading a terminal; the last
 * column is not padded, so lines carry no trailing spaces.
 * @example formatTable(['ID', 'NAME'], [['1', 'admin']]) // ['ID  NAME', '1   admin']
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [line(headers), ...rows.map(line)];
}
