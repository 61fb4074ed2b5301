// Unit tests of the programme views' pure helpers (programme.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lateByProvince, participationOn, plannedSeries } from '../src/dashboard/programme.js';

const target = (code, due, population, province = '097', daysLate = 0) => ({ due, daysLate, comune: { code, population, province: { code: province } } });

test('plannedSeries counts the Comuni and inhabitants due by each date', () => {
  const targets = [target('097002', '2025-03-01', 100), target('097001', '2025-01-01', 1000), target('097003', '2026-01-01', 10)];
  const cases = [
    { dates: ['2024-12-31', '2025-01-01', '2025-06-30', '2026-01-01'], want: [[0, 0], [1, 1000], [2, 1100], [3, 1110]] },
    { dates: [], want: [] },
    { dates: ['2030-01-01'], want: [[3, 1110]] },
  ];
  for (const c of cases) {
    const got = plannedSeries(targets, c.dates).map((p) => [p.comuni, p.inhabitants]);
    assert.deepEqual(got, c.want, JSON.stringify(c.dates));
  }
});

test('lateByProvince groups late Comuni by Province, most late first', () => {
  const by = lateByProvince([target('097001', '2025-01-01', 1, '097', 10), target('097002', '2025-01-01', 1, '097', 30), target('013001', '2025-01-01', 1, '013', 5)]);
  assert.deepEqual([...by.keys()].sort(), ['013', '097']);
  assert.deepEqual(by.get('097').map((t) => t.comune.code), ['097002', '097001']);
});

test('participationOn keeps periods active on the day (half-open) and the earliest join', () => {
  const part = (code, sector, since, until = null) => ({ province: { code }, sector: { code: sector }, since, until });
  const ps = [part('082', 'personnel', '2024-03-01'), part('082', 'europe', '2024-01-15'), part('097', 'europe', '2020-01-01', '2024-01-01'), part('108', 'procurement', '2027-01-01')];
  const cases = [
    { asOf: '2025-01-01', want: { '082': { since: '2024-01-15', sectors: ['europe', 'personnel'] } } },
    { asOf: '2023-12-31', want: { '097': { since: '2020-01-01', sectors: ['europe'] } } },
    { asOf: '2024-01-01', want: {} },
    { asOf: '2024-02-01', want: { '082': { since: '2024-01-15', sectors: ['europe'] } } },
  ];
  for (const c of cases) {
    const got = Object.fromEntries(participationOn(ps, c.asOf));
    assert.deepEqual(got, c.want, c.asOf);
  }
});

// The programme views' strings landed once in the wrong language block; this
// keeps both languages' keys and {{placeholders}} the same everywhere.
test('Italian and English have the same keys and placeholders', async () => {
  const { RESOURCES } = await import('../src/dashboard/i18n.js');
  const flat = (o, pre = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v, `${pre}${k}.`) : [[`${pre}${k}`, [...String(v).matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort().join(',')]]));
  const it = Object.fromEntries(flat(RESOURCES.it));
  const en = Object.fromEntries(flat(RESOURCES.en));
  assert.deepEqual(Object.keys(en).sort(), Object.keys(it).sort());
  for (const k of Object.keys(it)) assert.equal(en[k], it[k], `placeholders of ${k}`);
});
