// toCSV renders rows as CSV: fields holding the separator, a quote or a line
// break are quoted, quotes doubled, lines ended by CRLF. The dashboard uses
// ";" as separator, which Excel and LibreOffice set to Italian expect
// (the comma is the Italian decimal separator).
export function toCSV(header, rows, sep = ',') {
  const special = new RegExp(`["\\r\\n${sep}]`);
  const field = (v) => {
    const s = v == null ? '' : String(v);
    return special.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(sep)).join('\r\n') + '\r\n';
}
