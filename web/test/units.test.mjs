// Unit tests of the dashboard's and GraphiQL page's pure helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCSV } from '../src/dashboard/csv.js';
import { addMonths, isISODate, timelineRange } from '../src/dashboard/dates.js';
import { project } from '../src/dashboard/projection.js';
import { describe as describeExample } from '../src/graphiql/describe.js';

test('toCSV quotes what needs quoting and ends lines with CRLF', () => {
  const got = toCSV(['a', 'b'], [['plain', 'with, comma'], ['say "hi"', 'two\nlines'], [null, 7]]);
  assert.equal(got, 'a,b\r\nplain,"with, comma"\r\n"say ""hi""","two\nlines"\r\n,7\r\n');
});

test('addMonths clamps to the end of shorter months', () => {
  const cases = [
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-05-31', -3, '2025-02-28'],
    ['2025-06-30', -42, '2021-12-30'],
    ['2025-12-15', 1, '2026-01-15'],
    ['2025-01-15', -1, '2024-12-15'],
  ];
  for (const [from, n, want] of cases) assert.equal(addMonths(from, n), want, `${from} ${n}`);
});

test('timelineRange ends on the day asked about and starts by the earliest start', () => {
  const cases = [
    { starts: ['2022-07-15', '2023-01-01'], to: '2025-06-30', interval: 'QUARTER' },
    { starts: ['2025-01-31'], to: '2025-06-30', interval: 'MONTH' },
    { starts: [], to: '2025-06-30', interval: 'MONTH' },
    { starts: ['1950-01-01'], to: '2025-06-30', interval: 'YEAR' },
    { starts: ['2030-01-01', '2024-06-30'], to: '2025-06-30', interval: 'MONTH' },
  ];
  const step = { MONTH: 1, QUARTER: 3, YEAR: 12 };
  for (const c of cases) {
    const r = timelineRange(c.starts, c.to);
    assert.equal(r.interval, c.interval, JSON.stringify(c));
    assert.equal(r.to, c.to);
    const earliest = c.starts.filter((s) => s <= c.to).sort()[0];
    if (earliest) assert.ok(r.from <= earliest, `${r.from} after ${earliest}`);
    // Stepping from `from` reaches `to` exactly, within the API's 240 dates.
    let n = 0;
    while (addMonths(r.from, n * step[r.interval]) < c.to) n++;
    assert.equal(addMonths(r.from, n * step[r.interval]), c.to);
    assert.ok(n + 1 <= 240, `${n + 1} dates`);
  }
});

test('isISODate', () => {
  assert.ok(isISODate('2025-06-30'));
  for (const bad of ['2025-6-30', '2025-13-01', 'today', '', null, undefined]) assert.ok(!isISODate(bad), String(bad));
});

test('project keeps the shape and fits the box', () => {
  // A square degree at 45°N is about 0.71 as wide as tall.
  const { width, height, xy } = project([{ lat: 44, lon: 10 }, { lat: 46, lon: 12 }], 210, 5);
  assert.equal(height, 210);
  assert.ok(Math.abs((width - 10) / 200 - Math.cos((45 * Math.PI) / 180)) < 1e-9, `width ${width}`);
  assert.deepEqual(xy[0], { x: 5, y: 205 }); // south-west corner at the bottom left
  assert.equal(xy[1].y, 5); // north at the top
  assert.deepEqual(project([]), { width: 0, height: 0, xy: [] });
});

test('describe takes the title from the operation and the summary from the comment', () => {
  const got = describeExample({
    name: '07_comune',
    operationName: 'Comune',
    query: '# One Comune by its code. More text\n# that continues.\nquery Comune { comune(istat: "001272") { name } }',
  });
  assert.deepEqual(got, { title: 'Comune', summary: 'One Comune by its code.' });
  const long = describeExample({ name: 'x', operationName: '', query: `# ${'word '.repeat(60)}\n{ a }` });
  assert.equal(long.title, 'x');
  assert.ok(long.summary.length <= 160 && long.summary.endsWith('…'), long.summary);
});

test('wsURL turns the GraphQL endpoint into its WebSocket address', async () => {
  const { wsURL } = await import('../src/graphiql/fetcher.js');
  assert.equal(wsURL('http://127.0.0.1:8080/graphql'), 'ws://127.0.0.1:8080/graphql');
  assert.equal(wsURL('https://pcnet.example.org/api/graphql'), 'wss://pcnet.example.org/api/graphql');
});

test('toCSV with ";" quotes fields holding it, for Italian spreadsheets', () => {
  assert.equal(toCSV(['a', 'b'], [['x;y', 'Forlì-Cesena'], ['1,5', 2]], ';'), 'a;b\r\n"x;y";Forlì-Cesena\r\n1,5;2\r\n');
});

test('findComuni lists every match, exact names first, accents ignored', async () => {
  const { findComuni } = await import('../src/dashboard/find.js');
  const comuni = ['Bolzano Novarese', 'Bolzano/Bozen', 'Bolzano Vicentino', 'Reggiolo', "Reggio nell'Emilia", 'Cantù', 'Cantalupo'].map((name, i) => ({ code: String(i), name }));
  const names = (q, limit) => findComuni(comuni, q, limit).matches.map((c) => c.name);
  assert.deepEqual(names('bolzano'), ['Bolzano/Bozen', 'Bolzano Novarese', 'Bolzano Vicentino']);
  assert.deepEqual(names('Reggio'), ["Reggio nell'Emilia", 'Reggiolo']);
  assert.deepEqual(names('cantu'), ['Cantù']);
  assert.deepEqual(names('  '), []);
  assert.deepEqual(findComuni(comuni, 'o', 2).more, comuni.filter((c) => c.name.toLowerCase().includes('o')).length - 2);
});

test('pickLanguage: Italian unless asked otherwise', async () => {
  const { pickLanguage } = await import('../src/dashboard/i18n.js');
  assert.equal(pickLanguage(''), 'it');
  assert.equal(pickLanguage('?lang=en'), 'en');
  assert.equal(pickLanguage('?lang=xx', 'en'), 'en');
  assert.equal(pickLanguage('?lang=it', 'en'), 'it');
});

test('areas: one area per Province and borders only between Provinces', async () => {
  const { areas } = await import('../src/dashboard/areas.js');
  // Two Provinces side by side on a grid, in one region; a third in another region.
  const points = [];
  for (let x = 0; x < 6; x++) for (let y = 0; y < 4; y++) points.push({ x: 10 + x * 5, y: 10 + y * 5, province: x < 3 ? 'A' : 'B', region: 'R' });
  for (let y = 0; y < 4; y++) points.push({ x: 40, y: 10 + y * 5, province: 'C', region: 'S' });
  const got = areas(points, 60, 40, 4);
  assert.deepEqual([...got.provinces.keys()].sort(), ['A', 'B', 'C']);
  const segs = (d) => (d.match(/M/g) ?? []).length;
  // The A|B border: a segment for each of the two inner rows (the outer rows'
  // edges are on the convex hull, which has no Voronoi edge to draw; the
  // square cells' diagonals give none either).
  assert.equal(segs(got.provinceBorders), 2);
  assert.equal(segs(got.regionBorders), 2, 'B|C is a region border');
  // Every border point lies between the two columns it separates.
  for (const m of got.provinceBorders.matchAll(/[ML]([\d.]+),/g)) assert.ok(Math.abs(Number(m[1]) - 22.5) < 0.01, m[0]);
});
