// toCSV renders rows as RFC 4180 CSV: fields holding a comma, quote or line
// break are quoted, quotes doubled, lines ended by CRLF.
export function toCSV(header, rows) {
  const field = (v) => {
    const s = v == null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
