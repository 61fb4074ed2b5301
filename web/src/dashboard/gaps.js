// The coverage gaps of a territory as a table, exportable to CSV in the
// form Italian spreadsheets open: ";" separated, headers in the page's
// language, a byte-order mark for the accented names.

import { toCSV } from './csv.js';
import { t } from './i18n.js';

export const CSV_SEPARATOR = ';';

export function csvHeader() {
  return ['colCode', 'colName', 'colProvince', 'colPlate', 'colPopulation', 'colSmall'].map((k) => t(`gaps.${k}`));
}

// Populations are written without thousands separators, so spreadsheets read numbers.
export function gapRows(comuni) {
  return comuni.map((c) => [c.code, c.name, c.province.name, c.province.plateCode, c.population, c.small ? t('gaps.yes') : t('gaps.no')]);
}

// showGaps fills the table and points the download link at a CSV of every
// row. It returns the number of rows.
export function showGaps(table, link, comuni, fileName, num) {
  const rows = comuni.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.code = c.code;
    const cells = [c.code, c.name, `${c.province.name} (${c.province.plateCode})`, num(c.population), c.small ? t('gaps.yes') : t('gaps.no')];
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
  const blob = new Blob(['\uFEFF', toCSV(csvHeader(), gapRows(comuni), CSV_SEPARATOR)], { type: 'text/csv;charset=utf-8' });
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.removeAttribute('aria-disabled');
  return rows.length;
}
