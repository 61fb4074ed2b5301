// Real clients against a running pcnet server (PCNET_URL, e.g.
// http://127.0.0.1:8080; scripts/test-web.sh starts one): graphql-js builds
// the schema from introspection and validates every documented example and
// every operation of the dashboard against it; urql runs the dashboard
// example and the dashboard's own operations.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';
import * as dashboard from '../src/dashboard/queries.js';

const base = process.env.PCNET_URL;
const skip = base ? false : 'PCNET_URL is not set: run scripts/test-web.sh, which starts a server';
if (!base && process.env.CI === 'true') throw new Error('PCNET_URL must be set under CI (scripts/test-web.sh sets it)');
const endpoint = base ? new URL('/graphql', base).href : '';
const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');
// Every .graphql file under examples/, the writes in examples/mutations/ too.
const examples = readdirSync(examplesDir, { recursive: true })
  .map((f) => f.split('\\').join('/'))
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => ({ file: f, source: readFileSync(join(examplesDir, f), 'utf8') }));

async function post(query, variables = {}) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200, `HTTP ${res.status}`);
  return res.json();
}

let schema;
before(async () => {
  if (skip) return;
  const { data, errors } = await post(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
  assert.equal(errors, undefined);
  schema = buildClientSchema(data);
});

test('the examples folder is not empty', { skip }, () => {
  assert.ok(examples.length >= 40, `${examples.length} examples`);
});

test('every documented example validates against the served schema', { skip }, async (t) => {
  for (const { file, source } of examples) {
    await t.test(file, () => {
      const errors = validate(schema, parse(source));
      assert.deepEqual(errors.map((e) => e.message), []);
    });
  }
});

test('every dashboard operation validates against the served schema', { skip }, async (t) => {
  for (const [name, source] of Object.entries(dashboard.ALL)) {
    await t.test(name, () => {
      const doc = parse(source);
      assert.equal(doc.definitions[0].name.value, name);
      assert.deepEqual(validate(schema, doc).map((e) => e.message), []);
    });
  }
});

test('a broken operation does not validate (the check can fail)', { skip }, () => {
  const errors = validate(schema, parse('{ region(code: "03") { nope } }'));
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /nope/);
});

function urql() {
  return new Client({ url: endpoint, exchanges: [cacheExchange, fetchExchange], requestPolicy: 'network-only' });
}

test('urql runs the dashboard example and gets its nested shape', { skip }, async () => {
  const { source } = examples.find((e) => e.file === 'dashboard_region.graphql');
  const result = await urql().query(gql(source), {}).toPromise();
  assert.equal(result.error, undefined);
  const region = result.data.region;
  assert.equal(region.code, '03');
  assert.equal(typeof region.name, 'string');
  assert.ok(region.provinces.length > 0);
  let services = 0;
  for (const p of region.provinces) {
    assert.match(p.code, /^\d{3}$/);
    for (const s of p.services) {
      services++;
      assert.match(s.id, /^svc-/);
      assert.ok(['PLANNED', 'PILOT', 'ACTIVE', 'SUSPENDED', 'ENDED'].includes(s.status), s.status);
      assert.equal(typeof s.area.code, 'string');
      assert.ok(Number.isInteger(s.coverage.totalCount));
      assert.ok(s.coverage.edges.length <= Math.min(20, s.coverage.totalCount));
      for (const e of s.coverage.edges) {
        assert.match(e.since, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(['PILOT', 'ROLLOUT'].includes(e.phase));
        assert.match(e.node.code, new RegExp(`^${p.code}\\d{3}$`)); // a Comune of the provider
        assert.equal(e.node.small, e.node.population < 5000);
      }
    }
  }
  assert.ok(services > 0, 'no service in the region');
  // urql's answer is the server's answer: __typename aside, nothing lost or added.
  const raw = await post(source);
  assert.deepEqual(stripTypenames(result.data), raw.data);
});

test("urql runs the dashboard's own operations", { skip }, async () => {
  const client = urql();
  const setup = await client.query(gql(dashboard.DASHBOARD_SETUP), {}).toPromise();
  assert.equal(setup.error, undefined);
  assert.equal(setup.data.regions.length, 20);
  const sector = setup.data.sectors[0].code;
  const net = await client.query(gql(dashboard.TUTOR_NETWORK), { sector, asOf: '2025-06-30' }).toPromise();
  assert.equal(net.error, undefined);
  const codes = new Set(net.data.tutorNetwork.nodes.map((n) => n.province.code));
  for (const e of net.data.tutorNetwork.edges) {
    assert.ok(codes.has(e.tutor.code) && codes.has(e.tutored.code), 'an edge to a Province that is not a node');
  }
  const covered = await client.query(gql(dashboard.COVERED_IN_SECTOR), { sector, asOf: '2025-06-30' }).toPromise();
  assert.equal(covered.error, undefined);
  const timeline = await client
    .query(gql(dashboard.ROLLOUT), { selection: { sectors: [sector] }, from: '2025-03-30', to: '2025-06-30', interval: 'MONTH' })
    .toPromise();
  assert.equal(timeline.error, undefined);
  const last = timeline.data.rolloutTimeline.at(-1);
  assert.equal(last.date, '2025-06-30');
  assert.equal(last.covered.comuni, covered.data.comuni.totalCount, 'the timeline and the coverage filter disagree');
});

function stripTypenames(v) {
  if (Array.isArray(v)) return v.map(stripTypenames);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '__typename').map(([k, x]) => [k, stripTypenames(x)]));
  }
  return v;
}
