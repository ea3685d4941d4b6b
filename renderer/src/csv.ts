/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180), quotes doubled. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV text: a header line, then one line per row, CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name for a table's CSV: "runs-e3.csv" from ("Runs", "e3"). */
export function csvName(...parts: readonly (string | number | null | undefined)[]): string {
  const base = parts
    .filter((p) => p !== null && p !== undefined && String(p) !== '')
    .map((p) => String(p).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''))
    .filter(Boolean)
    .join('-');
  return `${base || 'table'}.csv`;
}
