// The coverage gaps of a territory as a table, exportable to CSV.

import { toCSV } from './csv.js';

const nf = new Intl.NumberFormat('en-GB');

export const CSV_HEADER = ['code', 'name', 'province', 'plate', 'population', 'small'];

export function gapRows(comuni) {
  return comuni.map((c) => [c.code, c.name, c.province.name, c.province.plateCode, c.population, c.small ? 'yes' : 'no']);
}

// showGaps fills the table and points the download link at a CSV of every
// row. It returns the number of rows.
export function showGaps(table, link, comuni, fileName) {
  const rows = comuni.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.code = c.code;
    const cells = [c.code, c.name, `${c.province.name} (${c.province.plateCode})`, nf.format(c.population), c.small ? 'yes' : 'no'];
    cells.forEach((v, i) => {
      const td = document.createElement('td');
      td.textContent = v;
      if (i === 3) td.className = 'num';
      tr.append(td);
    });
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
  table.dataset.rows = String(rows.length);

  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  // A byte-order mark lets spreadsheet programs read the UTF-8 names right.
  const blob = new Blob(['\uFEFF', toCSV(CSV_HEADER, gapRows(comuni))], { type: 'text/csv;charset=utf-8' });
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.removeAttribute('aria-disabled');
  return rows.length;
}
