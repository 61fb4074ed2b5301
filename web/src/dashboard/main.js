// pcnet's coverage dashboard: a map of Italy coloured by coverage, the
// tutor network of a sector, reach over time and the coverage gaps of a
// territory. It reads everything from the public GraphQL API with plain
// fetch. The choices live in the URL (sector, service, asOf, territory,
// scope, small), so a view can be shared as a link.

import './dashboard.css';
import { allPages, client } from './api.js';
import { isISODate, timelineRange, todayISO } from './dates.js';
import { COVERED, CoverageMap, OUTSIDE, TERRITORY } from './map.js';
import { drawNetwork, highlight } from './network.js';
import { Timeline } from './timeline.js';
import { showGaps } from './gaps.js';
import * as Q from './queries.js';

const config = JSON.parse(document.getElementById('pcnet-config').textContent);
// A token, where the server wants one for reads, lives in this tab only.
const TOKEN_KEY = 'pcnet:dashboard-token';
const request = client(new URL(config.graphqlPath, document.baseURI).href, () => sessionStorage.getItem(TOKEN_KEY) ?? '');
const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat('en-GB');
const pf = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });

// ---- state ---------------------------------------------------------------

const params = new URLSearchParams(location.search);
const state = {
  sector: params.get('sector') ?? '',
  service: params.get('service') ?? '',
  asOf: isISODate(params.get('asOf')) ? params.get('asOf') : todayISO(),
  territory: params.get('territory') ?? '',
  scope: params.get('scope') ?? '',
  small: params.get('small') === '1',
};

function keepInURL() {
  const p = new URLSearchParams();
  for (const k of ['sector', 'service', 'asOf', 'territory', 'scope']) if (state[k]) p.set(k, state[k]);
  if (state.small) p.set('small', '1');
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

let setup = null; // DashboardSetup's answer
let comuni = []; // every Comune, for the map
const comuneByCode = new Map();
const provinceByCode = new Map();
const regionByCode = new Map();

const sector = () => setup.sectors.find((s) => s.code === state.sector);
const selectedServices = () => {
  const s = sector();
  if (!s) return [];
  return state.service ? s.services.filter((v) => v.id === state.service) : s.services;
};

// Each panel runs one load at a time; a newer load makes an older one's
// answer moot.
function panel(id) {
  const el = $(id);
  let generation = 0;
  return async function run(statusEl, work) {
    const mine = ++generation;
    el.dataset.state = 'loading';
    el.setAttribute('aria-busy', 'true');
    try {
      const done = await work(() => mine !== generation);
      if (mine !== generation) return;
      if (done !== undefined) statusEl.textContent = done;
      statusEl.setAttribute('role', 'status');
      el.dataset.state = 'ready';
    } catch (err) {
      if (mine !== generation) return;
      el.dataset.state = 'error';
      statusEl.textContent = `Could not load: ${err.message}`;
      statusEl.setAttribute('role', 'alert');
      console.error(err);
    } finally {
      if (mine === generation) el.setAttribute('aria-busy', 'false');
    }
  };
}

// ---- controls ------------------------------------------------------------

function option(value, label, selected) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  o.selected = selected;
  return o;
}

function fillSectors() {
  if (!setup.sectors.some((s) => s.code === state.sector)) state.sector = setup.sectors[0]?.code ?? '';
  $('sector').replaceChildren(...setup.sectors.map((s) => option(s.code, s.name, s.code === state.sector)));
}

function fillServices() {
  const s = sector();
  const services = s ? s.services : [];
  if (!services.some((v) => v.id === state.service)) state.service = '';
  $('service').replaceChildren(
    option('', 'All services of the sector', state.service === ''),
    ...services.map((v) => option(v.id, `${v.provider.plateCode} · ${v.name} (${v.status.toLowerCase()})`, v.id === state.service)),
  );
}

function fillTerritories() {
  const regions = setup.regions;
  const provinces = regions.flatMap((r) => r.provinces).sort((a, b) => a.name.localeCompare(b.name, 'it'));
  const valid = new Set([...regions.map((r) => `region:${r.code}`), ...provinces.map((p) => `province:${p.code}`)]);
  if (!valid.has(state.territory)) state.territory = regions.length ? `region:${regions[0].code}` : '';
  const group = (label, items) => {
    const g = document.createElement('optgroup');
    g.label = label;
    g.append(...items);
    return g;
  };
  $('territory').replaceChildren(
    group('Regions', regions.map((r) => option(`region:${r.code}`, r.name, `region:${r.code}` === state.territory))),
    group('Provinces', provinces.map((p) => option(`province:${p.code}`, `${p.name} (${p.plateCode})`, `province:${p.code}` === state.territory))),
  );
}

function fillScopes() {
  const s = sector();
  const areas = s ? s.areas : [];
  if (!areas.some((a) => a.code === state.scope)) state.scope = '';
  $('scope').replaceChildren(
    option('', s ? `the whole sector (${s.name})` : 'the sector', state.scope === ''),
    ...areas.map((a) => option(a.code, `the area ${a.name}`, a.code === state.scope)),
  );
}

// ---- map -----------------------------------------------------------------

const runMap = panel('map-panel');
const map = new CoverageMap($('map'), onPoint);

async function loadComuni() {
  const pages = await allPages(async (after) => (await request(Q.MAP_COMUNI, { after })).comuni);
  comuni = pages.flatMap((p) => p.edges.map((e) => ({ ...e.node, provinceCode: e.node.province.code })));
  for (const c of comuni) comuneByCode.set(c.code, c);
  map.draw(comuni);
}

async function coveredCodes() {
  const codes = new Set();
  if (state.service) {
    const pages = await allPages(async (after) => {
      const { service } = await request(Q.COVERED_BY_SERVICE, { id: state.service, asOf: state.asOf, after });
      return service ? service.coverage : { edges: [], pageInfo: { hasNextPage: false } };
    });
    for (const p of pages) for (const e of p.edges) codes.add(e.node.code);
  } else if (state.sector) {
    const pages = await allPages(async (after) => (await request(Q.COVERED_IN_SECTOR, { sector: state.sector, asOf: state.asOf, after })).comuni);
    for (const p of pages) for (const e of p.edges) codes.add(e.node.code);
  }
  return codes;
}

let comuniReady = null;

function refreshMap() {
  return runMap($('map-status'), async (stale) => {
    await comuniReady;
    const covered = await coveredCodes();
    if (stale()) return;
    const territory = new Set(selectedServices().filter((v) => v.startDate <= state.asOf).map((v) => v.provider.code));
    const counts = map.colour(comuni, covered, territory);
    $('count-covered').textContent = nf.format(counts[COVERED]);
    $('count-territory').textContent = nf.format(counts[TERRITORY]);
    $('count-outside').textContent = nf.format(counts[OUTSIDE]);
    const drawn = Number($('map').dataset.points);
    const what = state.service ? selectedServices()[0]?.name ?? state.service : sector()?.name ?? 'no sector';
    const missing = comuni.length - drawn;
    return `${nf.format(counts[COVERED])} of ${nf.format(drawn)} Comuni on the map covered by ${what} on ${state.asOf}` +
      (missing ? ` (${nf.format(missing)} Comuni without coordinates are not drawn).` : '.');
  });
}

// Details of a Comune: shown in the tooltip on hover and in the details
// box when found by name. The services covering it are fetched on demand.
const detailsCache = new Map();
function comuneDetails(code) {
  const key = `${code}@${state.asOf}`;
  if (!detailsCache.has(key)) {
    detailsCache.set(key, request(Q.COMUNE_DETAILS, { code, asOf: state.asOf }).then((d) => d.comune).catch((err) => {
      detailsCache.delete(key);
      throw err;
    }));
  }
  return detailsCache.get(key);
}

function describeComune(c, target) {
  const p = provinceByCode.get(c.provinceCode);
  const r = p && regionByCode.get(p.regionCode);
  const head = document.createElement('div');
  const strong = document.createElement('strong');
  strong.textContent = c.name;
  head.append(strong);
  const facts = document.createElement('div');
  facts.textContent = `${p ? `${p.name} (${p.plateCode})` : c.provinceCode}${r ? `, ${r.name}` : ''} · ${nf.format(c.population)} inhabitants` +
    (c.small ? ' · small Comune' : '') + (c.capital ? ' · capital' : '');
  const services = document.createElement('div');
  services.className = 'services';
  services.textContent = 'Services covering it: loading…';
  target.replaceChildren(head, facts, services);
  comuneDetails(c.code).then((d) => {
    const list = d?.coverages ?? [];
    if (list.length === 0) {
      services.textContent = `No service covers it on ${state.asOf}.`;
      return;
    }
    const ul = document.createElement('ul');
    for (const cov of list) {
      const li = document.createElement('li');
      li.textContent = `${cov.service.name} — ${cov.service.sector.name} (${cov.phase.toLowerCase()}, since ${cov.since})`;
      if (cov.service.sector.code === state.sector) li.className = 'current';
      ul.append(li);
    }
    services.replaceChildren(`Services covering it on ${state.asOf}:`, ul);
  }, (err) => {
    services.textContent = `Services could not be loaded: ${err.message}`;
    console.error(err);
  });
}

let hoverTimer = 0;
function onPoint(code, event) {
  const tip = $('tooltip');
  clearTimeout(hoverTimer);
  if (!code) {
    tip.hidden = true;
    return;
  }
  const c = comuneByCode.get(code);
  if (!c) return;
  const wrap = $('map').parentElement.getBoundingClientRect();
  const x = event.clientX - wrap.left;
  const y = event.clientY - wrap.top;
  tip.style.left = `${Math.min(x + 12, wrap.width - 260)}px`;
  tip.style.top = `${y + 12}px`;
  tip.hidden = false;
  // Wait a moment before asking for the services, so sweeping across the
  // map doesn't send a request per point.
  const strong = document.createElement('strong');
  strong.textContent = c.name;
  tip.replaceChildren(strong);
  hoverTimer = setTimeout(() => describeComune(c, tip), 120);
}

function fold(s) {
  return s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

function findComune(name) {
  const q = fold(name.trim());
  if (!q) return null;
  return comuni.find((c) => fold(c.name) === q) ?? comuni.find((c) => fold(c.name).startsWith(q)) ?? comuni.find((c) => fold(c.name).includes(q)) ?? null;
}

// ---- network -------------------------------------------------------------

const runNetwork = panel('network-panel');
function refreshNetwork() {
  return runNetwork($('network-status'), async (stale) => {
    if (!state.sector) return 'Choose a sector.';
    const { tutorNetwork } = await request(Q.TUTOR_NETWORK, { sector: state.sector, asOf: state.asOf });
    if (stale()) return;
    const svg = $('network');
    const n = drawNetwork(svg, tutorNetwork, (code) => highlight(svg, code));
    const tutors = tutorNetwork.nodes.filter((x) => x.role !== 'TUTORED').length;
    return n === 0
      ? `No tutorship in ${tutorNetwork.sector.name} is active on ${state.asOf}.`
      : `${nf.format(n)} Provinces (${nf.format(tutors)} tutoring) and ${nf.format(tutorNetwork.edges.length)} tutorships in ${tutorNetwork.sector.name} active on ${state.asOf}.`;
  });
}

// ---- timeline ------------------------------------------------------------

const runTimeline = panel('timeline-panel');
const timeline = new Timeline($('timeline'), $('timeline-table'));
function refreshTimeline() {
  return runTimeline($('timeline-status'), async (stale) => {
    const services = selectedServices();
    if (services.length === 0) return 'No service in this selection.';
    const selection = state.service ? { ids: [state.service] } : { sectors: [state.sector] };
    const range = timelineRange(services.map((s) => s.startDate), state.asOf);
    const { rolloutTimeline } = await request(Q.ROLLOUT, { selection, ...range });
    if (stale()) return;
    timeline.show(rolloutTimeline);
    const last = rolloutTimeline.at(-1);
    return last
      ? `${range.interval.toLowerCase()}ly from ${range.from}: on ${last.date}, ${nf.format(last.covered.comuni)} Comuni covered (${pf.format(last.comuniShare)} of the providers' territory), ${pf.format(last.inhabitantsShare)} of its inhabitants.`
      : 'No dates.';
  });
}

// ---- gaps ----------------------------------------------------------------

const runGaps = panel('gaps-panel');
function refreshGaps() {
  return runGaps($('gaps-status'), async (stale) => {
    if (!state.sector || !state.territory) return 'Choose a sector and a territory.';
    const [kind, code] = state.territory.split(':');
    const vars = {
      [kind]: code,
      ...(state.scope ? { area: state.scope } : { sector: state.sector }),
      smallOnly: state.small,
      asOf: state.asOf,
    };
    const pages = await allPages(async (after) => (await request(Q.COVERAGE_GAPS, { ...vars, after })).coverageGaps);
    if (stale()) return;
    const first = pages[0];
    const gaps = pages.flatMap((p) => p.edges.map((e) => e.node));
    const place = kind === 'region' ? regionByCode.get(code)?.name : provinceByCode.get(code)?.name;
    const scope = state.scope ? sector().areas.find((a) => a.code === state.scope)?.name : sector().name;
    const slug = (s) => fold(s ?? '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    showGaps($('gaps'), $('gaps-csv'), gaps, `coverage-gaps-${slug(place)}-${slug(state.scope || state.sector)}-${state.asOf}.csv`);
    const t = first.territory;
    return `${nf.format(first.totalCount)} ${state.small ? 'small ' : ''}Comuni of ${place} (${nf.format(first.uncovered.inhabitants)} inhabitants) are not covered in ${scope} on ${state.asOf}; the territory has ${nf.format(t.comuni)} Comuni, ${nf.format(t.smallComuni)} of them small.`;
  });
}

// ---- wiring --------------------------------------------------------------

function refreshAll() {
  keepInURL();
  refreshMap();
  refreshNetwork();
  refreshTimeline();
  refreshGaps();
}

async function start() {
  $('asOf').value = state.asOf;
  setup = await request(Q.DASHBOARD_SETUP);
  for (const r of setup.regions) {
    regionByCode.set(r.code, r);
    for (const p of r.provinces) provinceByCode.set(p.code, { ...p, regionCode: r.code });
  }
  fillSectors();
  fillServices();
  fillTerritories();
  fillScopes();

  $('sector').addEventListener('change', (e) => {
    state.sector = e.target.value;
    state.service = '';
    fillServices();
    fillScopes();
    refreshAll();
  });
  $('service').addEventListener('change', (e) => {
    state.service = e.target.value;
    keepInURL();
    refreshMap();
    refreshTimeline();
  });
  $('asOf').addEventListener('change', (e) => {
    if (!isISODate(e.target.value)) return;
    state.asOf = e.target.value;
    refreshAll();
  });
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  for (const id of ['territory', 'scope', 'smallOnly']) {
    $(id).addEventListener('change', () => {
      state.territory = $('territory').value;
      state.scope = $('scope').value;
      state.small = $('smallOnly').checked;
      keepInURL();
      refreshGaps();
    });
  }
  $('smallOnly').checked = state.small;
  $('gaps-form').addEventListener('submit', (e) => e.preventDefault());
  $('gaps-csv').addEventListener('click', (e) => {
    if (e.currentTarget.getAttribute('aria-disabled') === 'true') e.preventDefault();
  });
  $('find').addEventListener('submit', (e) => {
    e.preventDefault();
    const c = findComune($('find-name').value);
    map.mark(c?.code ?? null);
    if (c) describeComune(c, $('details'));
    else $('details').textContent = `No Comune matches “${$('find-name').value}”.`;
  });

  comuniReady = loadComuni();
  refreshAll();
}

// A new token reloads the page, which asks for everything again with it.
$('token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});

start().catch((err) => {
  if (err.status === 401) $('token-box').open = true;
  for (const id of ['map', 'network', 'timeline', 'gaps']) {
    $(`${id}-panel`).dataset.state = 'error';
    $(`${id}-status`).textContent = `Could not load: ${err.message}`;
  }
  console.error(err);
});
