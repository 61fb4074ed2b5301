// pcnet's coverage dashboard: a map of Italy with approximate Province
// areas coloured by coverage, a Province's details, the tutor network of a
// sector, reach over time and the coverage gaps of a territory. It reads
// everything from the public GraphQL API with plain fetch and follows
// coverage writes live over the coverageChanged subscription. The choices
// live in the URL (sector, service, asOf, territory, scope, small,
// province, lang), so a view can be shared as a link. Italian by default.

import './dashboard.css';
import { createClient } from 'graphql-ws';
import { allPages, client } from './api.js';
import { isISODate, timelineRange, todayISO } from './dates.js';
import { COVERED, CoverageMap, LATE, OUTSIDE, SHARE_CLASSES, TERRITORY } from './map.js';
import { drawNetwork, highlight, roleName, selectNode } from './network.js';
import { lateByProvince, participationOn, plannedSeries } from './programme.js';
import { Timeline } from './timeline.js';
import { showGaps } from './gaps.js';
import { LANGUAGES, init, pickLanguage, t } from './i18n.js';
import { findComuni, fold } from './find.js';
import * as Q from './queries.js';

const config = JSON.parse(document.getElementById('pcnet-config').textContent);
// A token, where the server wants one for reads, lives in this tab only.
const TOKEN_KEY = 'pcnet:dashboard-token';
const LANG_KEY = 'pcnet:dashboard-lang';
const endpoint = new URL(config.graphqlPath, document.baseURI).href;
const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const request = client(endpoint, token);
const $ = (id) => document.getElementById(id);

const lang = pickLanguage(location.search, localStorage.getItem(LANG_KEY));
const fmt = init(lang);
const { num, pct, date } = fmt;

// ---- static text -----------------------------------------------------------

function translatePage() {
  document.documentElement.lang = lang;
  document.title = `pcnet — ${t('title')}`;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  // The few texts with markup come from the bundled resources only.
  for (const e of document.querySelectorAll('[data-i18n-html]')) e.innerHTML = t(e.dataset.i18nHtml);
  for (const e of document.querySelectorAll('[data-i18n-aria]')) e.setAttribute('aria-label', t(e.dataset.i18nAria));
  for (const e of document.querySelectorAll('[data-i18n-title]')) e.title = t(e.dataset.i18nTitle);
  $('find-name').placeholder = t('find.placeholder');
  $('lang').replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) => option(code, name, code === lang)));
  const bounds = [0, ...SHARE_CLASSES];
  $('share-legend').replaceChildren(
    legendItem('none', t('map.noService')),
    ...SHARE_CLASSES.map((_, i) => legendItem(`s${i}`, `${i === 0 ? '' : '> '}${pct(bounds[i])}–${pct(bounds[i + 1])}`)),
  );
  $('share-legend').setAttribute('aria-label', t('map.legendShare'));
  $('share-legend').prepend(Object.assign(document.createElement('li'), { textContent: `${t('map.legendShare')}:` }));
}

function legendItem(cls, text) {
  const li = document.createElement('li');
  const sw = document.createElement('span');
  sw.className = `swatch square ${cls}`;
  li.append(sw, text);
  return li;
}

// ---- state ---------------------------------------------------------------

const params = new URLSearchParams(location.search);
const state = {
  sector: params.get('sector') ?? '',
  service: params.get('service') ?? '',
  asOf: isISODate(params.get('asOf')) ? params.get('asOf') : todayISO(),
  territory: params.get('territory') ?? '',
  scope: params.get('scope') ?? '',
  small: params.get('small') === '1',
  province: params.get('province') ?? '',
};

function keepInURL() {
  const p = new URLSearchParams();
  for (const k of ['sector', 'service', 'asOf', 'territory', 'scope', 'province']) if (state[k]) p.set(k, state[k]);
  if (state.small) p.set('small', '1');
  if (params.has('lang') || lang !== 'it') p.set('lang', lang);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

let setup = null; // DashboardSetup's answer
let comuni = []; // every Comune, for the map
let coveredNow = new Set(); // Comuni covered by the current selection
let network = null; // the tutor network shown
const comuneByCode = new Map();
const provinceByCode = new Map();
const regionByCode = new Map();

const sector = () => setup.sectors.find((s) => s.code === state.sector);
const selectedServices = () => {
  const s = sector();
  if (!s) return [];
  return state.service ? s.services.filter((v) => v.id === state.service) : s.services;
};
const selectionName = () => (state.service ? selectedServices()[0]?.name ?? state.service : sector()?.name ?? t('map.noSector'));

// Each panel runs one load at a time; a newer load makes an older one's
// answer moot. A failed load marks the panel stale (what it shows belongs
// to an earlier choice), offers a retry and retries by itself with a
// growing pause, so the dashboard recovers when the server comes back.
function panel(id, statusId, work) {
  const el = $(id);
  const statusEl = $(statusId);
  let generation = 0;
  let timer = 0;
  let failures = 0;
  async function run() {
    clearTimeout(timer);
    const mine = ++generation;
    el.dataset.state = 'loading';
    el.setAttribute('aria-busy', 'true');
    try {
      const done = await work(() => mine !== generation);
      if (mine !== generation) return;
      failures = 0;
      if (done !== undefined) statusEl.textContent = done;
      statusEl.setAttribute('role', 'status');
      el.dataset.state = 'ready';
    } catch (err) {
      if (mine !== generation) return;
      failures++;
      const seconds = Math.min(30, 2 ** failures);
      el.dataset.state = 'error';
      statusEl.setAttribute('role', 'alert');
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'retry';
      retry.textContent = t('retry');
      retry.addEventListener('click', () => run());
      statusEl.replaceChildren(`${t('failed', { message: err.message })} ${t('retryIn', { seconds })}`, retry);
      timer = setTimeout(run, seconds * 1000);
      console.warn(`${id}:`, err);
    } finally {
      if (mine === generation) el.setAttribute('aria-busy', 'false');
    }
  }
  // Back online: don't wait for the next automatic retry.
  window.addEventListener('online', () => {
    if (el.dataset.state === 'error') run();
  });
  return run;
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
    option('', t('allServices'), state.service === ''),
    ...services.map((v) => option(v.id, `${v.provider.plateCode} · ${v.name} (${t(`status.${v.status}`)})`, v.id === state.service)),
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
    group(t('gaps.regions'), regions.map((r) => option(`region:${r.code}`, r.name, `region:${r.code}` === state.territory))),
    group(t('gaps.provinces'), provinces.map((p) => option(`province:${p.code}`, `${p.name} (${p.plateCode})`, `province:${p.code}` === state.territory))),
  );
}

function fillScopes() {
  const s = sector();
  const areas = s ? s.areas : [];
  if (!areas.some((a) => a.code === state.scope)) state.scope = '';
  $('scope').replaceChildren(
    option('', s ? t('gaps.wholeSector', { name: s.name }) : t('gaps.theSector'), state.scope === ''),
    ...areas.map((a) => option(a.code, t('gaps.area', { name: a.name }), a.code === state.scope)),
  );
}

// ---- map -----------------------------------------------------------------

const map = new CoverageMap($('map'), onPoint, (code) => chooseProvince(code, true));

async function loadComuni() {
  const pages = await allPages(async (after) => (await request(Q.MAP_COMUNI, { after })).comuni);
  comuni = pages.flatMap((p) => p.edges.map((e) => ({ ...e.node, provinceCode: e.node.province.code })));
  for (const c of comuni) comuneByCode.set(c.code, c);
  map.draw(comuni, (code) => provinceByCode.get(code)?.regionCode ?? '');
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

// Providers of the selection on the day, and each Province's share of
// covered Comuni (counting its Comuni without coordinates too).
function provinceShares(covered, providers) {
  const total = new Map();
  const got = new Map();
  for (const c of comuni) {
    total.set(c.provinceCode, (total.get(c.provinceCode) ?? 0) + 1);
    if (covered.has(c.code)) got.set(c.provinceCode, (got.get(c.provinceCode) ?? 0) + 1);
  }
  const shares = new Map();
  for (const [code, n] of total) if (providers.has(code) || got.has(code)) shares.set(code, (got.get(code) ?? 0) / n);
  return { shares, total, got };
}

let comuniReady = null;
let shareInfo = { shares: new Map(), total: new Map(), got: new Map() };
let lateNow = []; // the selected service's late planned Comuni (rolloutProgress.late)
let lateProvince = ''; // the Province the late list is narrowed to, '' for all

// showLate lists the late planned Comuni, only those of lateProvince when a
// Province was clicked, most late first; "all" widens the list again.
function showLate() {
  const by = lateByProvince(lateNow);
  const list = lateProvince ? by.get(lateProvince) ?? [] : lateNow;
  const p = provinceByCode.get(lateProvince);
  $('late-filter').textContent = p ? t('map.lateIn', { province: p.name, count: num(list.length), total: num(lateNow.length) }) : '';
  $('late-all').hidden = !p;
  const ol = $('late-list');
  ol.dataset.province = p ? lateProvince : '';
  ol.replaceChildren(...list.map((l) => {
    const li = document.createElement('li');
    li.dataset.code = l.comune.code;
    li.textContent = t('map.lateItem', { name: l.comune.name, due: date(l.due), days: num(l.daysLate) });
    return li;
  }));
}

const refreshMap = panel('map-panel', 'map-status', async (stale) => {
  await comuniReady;
  const [covered, plan] = await Promise.all([
    coveredCodes(),
    state.service ? request(Q.ROLLOUT_PLAN, { serviceId: state.service, asOf: state.asOf }) : null,
  ]);
  if (stale()) return;
  coveredNow = covered;
  const late = plan?.rolloutProgress?.late ?? [];
  const providers = new Set(selectedServices().filter((v) => v.startDate <= state.asOf).map((v) => v.provider.code));
  shareInfo = provinceShares(covered, providers);
  const counts = map.colour(comuni, covered, providers, shareInfo.shares, new Set(late.map((l) => l.comune.code)));
  $('count-late').textContent = num(counts[LATE]);
  lateNow = late;
  showLate();
  $('count-covered').textContent = num(counts[COVERED]);
  $('count-territory').textContent = num(counts[TERRITORY]);
  $('count-outside').textContent = num(counts[OUTSIDE]);
  const drawn = Number($('map').dataset.points);
  const missing = comuni.length - drawn;
  const coveredOff = covered.size - counts[COVERED];
  showProvince();
  return t('map.status', { covered: num(counts[COVERED]), drawn: num(drawn), what: selectionName(), date: date(state.asOf) }) +
    (missing ? t('map.unlocated', { count: num(missing) }) + (coveredOff ? t('map.unlocatedCovered', { count: num(coveredOff), total: num(covered.size) }) : '.') : '');
});

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
  facts.textContent = `${p ? `${p.name} (${p.plateCode})` : c.provinceCode}${r ? `, ${r.name}` : ''} · ${t('comune.inhabitants', { n: num(c.population) })}` +
    (c.small ? ` · ${t('comune.small')}` : '') + (c.capital ? ` · ${t('comune.capital')}` : '');
  const services = document.createElement('div');
  services.className = 'services';
  services.textContent = t('comune.services');
  target.replaceChildren(head, facts, services);
  comuneDetails(c.code).then((d) => {
    const list = d?.coverages ?? [];
    if (list.length === 0) {
      services.textContent = t('comune.none', { date: date(state.asOf) });
      return;
    }
    const ul = document.createElement('ul');
    for (const cov of list) {
      const li = document.createElement('li');
      li.textContent = `${cov.service.name} — ${cov.service.sector.name} (${t(`phase.${cov.phase}`, { defaultValue: cov.phase.toLowerCase() })}, ${t('comune.since', { date: date(cov.since) })})`;
      if (cov.service.sector.code === state.sector) li.className = 'current';
      ul.append(li);
    }
    services.replaceChildren(t('comune.list', { date: date(state.asOf) }), ul);
  }, (err) => {
    services.textContent = t('comune.failed', { message: err.message });
    console.warn(err);
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
  tip.style.left = `${Math.max(0, Math.min(x + 12, wrap.width - 260))}px`;
  tip.style.top = `${y + 12}px`;
  tip.hidden = false;
  // Wait a moment before asking for the services, so sweeping across the
  // map doesn't send a request per point.
  const strong = document.createElement('strong');
  strong.textContent = c.name;
  tip.replaceChildren(strong);
  hoverTimer = setTimeout(() => describeComune(c, tip), 120);
}

function showComune(c) {
  map.mark(c.code);
  describeComune(c, $('details'));
}

// "Find a Comune" lists every match (exact names first), never silently
// picking one; a single match is shown at once.
function onFind(e) {
  e.preventDefault();
  const q = $('find-name').value;
  const { matches, more } = findComuni(comuni, q, 20);
  const box = $('find-results');
  box.replaceChildren();
  $('details').replaceChildren();
  map.mark(null);
  if (!fold(q.trim())) return;
  if (matches.length === 0) {
    box.textContent = t('find.none', { q });
    return;
  }
  if (matches.length === 1) {
    showComune(matches[0]);
    return;
  }
  const ul = document.createElement('ul');
  ul.className = 'find-results';
  for (const c of matches) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.code = c.code;
    const p = provinceByCode.get(c.provinceCode);
    b.textContent = `${c.name} (${p?.plateCode ?? c.provinceCode})`;
    b.addEventListener('click', () => showComune(c));
    li.append(b);
    ul.append(li);
  }
  box.append(t('find.matches', { count: matches.length + more, q }), ul);
  if (more) box.append(t('find.more', { count: more }));
}

// ---- a Province's details ----------------------------------------------------

// chooseProvince selects a Province on the map, in the network and as the
// territory of the gaps; fromMap says whether the gaps should follow.
function chooseProvince(code, follow) {
  if (!provinceByCode.has(code)) return;
  state.province = code;
  lateProvince = code;
  showLate();
  map.selectProvince(code);
  if (network) selectNode($('network'), network.nodes.some((n) => n.province.code === code) ? code : null);
  if (follow) {
    state.territory = `province:${code}`;
    $('territory').value = state.territory;
    refreshGaps();
  }
  keepInURL();
  showProvince();
  showNetworkSelection();
}

function showProvince() {
  const box = $('province-details');
  const p = provinceByCode.get(state.province);
  if (!p || !setup) {
    $('province-status').textContent = t('province.choose');
    box.replaceChildren();
    return;
  }
  const r = regionByCode.get(p.regionCode);
  $('province-title').textContent = `${t('province.title')}: ${p.name} (${p.plateCode})`;
  const total = shareInfo.total.get(p.code) ?? 0;
  const got = shareInfo.got.get(p.code) ?? 0;
  $('province-status').textContent = `${r?.name ?? ''} · ` + t('province.share', { covered: num(got), total: num(total), share: pct(total ? got / total : 0), what: selectionName(), date: date(state.asOf) });

  const h = (text) => Object.assign(document.createElement('h3'), { textContent: text });
  const services = (sector()?.services ?? []).filter((s) => s.provider.code === p.code);
  const sl = document.createElement('ul');
  sl.dataset.list = 'services';
  for (const s of services) {
    const li = document.createElement('li');
    li.textContent = `${s.name} (${t(`status.${s.status}`)}, ${t('comune.since', { date: date(s.startDate) })})`;
    sl.append(li);
  }
  const covered = comuni.filter((c) => c.provinceCode === p.code && coveredNow.has(c.code)).sort((a, b) => a.name.localeCompare(b.name, 'it'));
  const cl = document.createElement('ul');
  cl.className = 'comuni';
  cl.dataset.list = 'covered';
  for (const c of covered) {
    const li = document.createElement('li');
    li.dataset.code = c.code;
    li.textContent = `${c.name} (${num(c.population)})`;
    cl.append(li);
  }
  const gaps = document.createElement('p');
  gaps.dataset.gaps = String(total - got);
  gaps.textContent = t('province.gapsList', { count: num(total - got) });
  box.replaceChildren(
    h(t('province.services')),
    services.length ? sl : Object.assign(document.createElement('p'), { textContent: t('province.noServices') }),
    h(t('province.coveredList', { count: num(covered.length) })), cl,
    gaps,
  );
}

// ---- network -------------------------------------------------------------

function showNetworkSelection() {
  const box = $('network-details');
  const code = $('network').dataset.selected;
  const node = network?.nodes.find((n) => n.province.code === code);
  if (!node) {
    box.replaceChildren();
    return;
  }
  const name = (c) => network.nodes.find((n) => n.province.code === c)?.province.name ?? c;
  const tutorOf = network.edges.filter((e) => e.tutor.code === code).map((e) => `${name(e.tutored.code)} (step ${e.step})`);
  const tutoredBy = network.edges.filter((e) => e.tutored.code === code).map((e) => `${name(e.tutor.code)} (step ${e.step})`);
  const clear = document.createElement('button');
  clear.type = 'button';
  clear.className = 'link-button';
  clear.textContent = t('network.clear');
  clear.addEventListener('click', () => {
    selectNode($('network'), null);
    showNetworkSelection();
  });
  const p = (text) => Object.assign(document.createElement('p'), { textContent: text });
  box.replaceChildren(
    p(t('network.selected', { name: node.province.name, role: roleName(node.role) })),
    ...(tutorOf.length ? [p(t('network.tutorOf', { list: tutorOf.join(', ') }))] : []),
    ...(tutoredBy.length ? [p(t('network.tutoredBy', { list: tutoredBy.join(', ') }))] : []),
    clear,
  );
}

const refreshNetwork = panel('network-panel', 'network-status', async (stale) => {
  if (!state.sector) return t('network.chooseSector');
  const [{ tutorNetwork }, { participations }] = await Promise.all([
    request(Q.TUTOR_NETWORK, { sector: state.sector, asOf: state.asOf }),
    request(Q.PARTICIPATIONS, { sector: state.sector, asOf: state.asOf }),
  ]);
  if (stale()) return;
  const participation = participationOn(participations, state.asOf);
  network = tutorNetwork;
  const svg = $('network');
  const n = drawNetwork(svg, tutorNetwork, (code) => highlight(svg, code ?? (svg.dataset.selected || null)), (code) => chooseProvince(code, true), fmt, participation);
  if (tutorNetwork.nodes.some((x) => x.province.code === state.province)) selectNode(svg, state.province);
  else svg.dataset.selected = '';
  showNetworkSelection();
  const tutors = tutorNetwork.nodes.filter((x) => x.role !== 'TUTORED').length;
  return n === 0
    ? t('network.none', { sector: tutorNetwork.sector.name, date: date(state.asOf) })
    : t('network.status', { n: num(n), tutors: num(tutors), edges: num(tutorNetwork.edges.length), sector: tutorNetwork.sector.name, date: date(state.asOf) });
});

// ---- timeline ------------------------------------------------------------

const timeline = new Timeline($('timeline'), $('timeline-table'), fmt);
const refreshTimeline = panel('timeline-panel', 'timeline-status', async (stale) => {
  const services = selectedServices();
  if (services.length === 0) return t('timeline.noService');
  const selection = state.service ? { ids: [state.service] } : { sectors: [state.sector] };
  const range = timelineRange(services.map((s) => s.startDate), state.asOf);
  const [{ rolloutTimeline }, plan] = await Promise.all([
    request(Q.ROLLOUT, { selection, ...range }),
    state.service ? request(Q.ROLLOUT_PLAN, { serviceId: state.service, asOf: state.asOf }) : null,
  ]);
  if (stale()) return;
  const targets = plan?.rolloutProgress?.targets ?? [];
  timeline.show(rolloutTimeline, targets.length ? plannedSeries(targets, rolloutTimeline.map((p) => p.date)) : null);
  const last = rolloutTimeline.at(-1);
  return last
    ? t('timeline.status', { interval: t(`timeline.${range.interval}`), from: date(range.from), date: date(last.date), comuni: num(last.covered.comuni), share: pct(last.comuniShare), inhabitants: pct(last.inhabitantsShare) })
    : t('timeline.noDates');
});

// ---- gaps ----------------------------------------------------------------

const refreshGaps = panel('gaps-panel', 'gaps-status', async (stale) => {
  if (!state.sector || !state.territory) return t('gaps.chooseBoth');
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
  showGaps($('gaps'), $('gaps-csv'), gaps, `${t('gaps.file')}-${slug(place)}-${slug(state.scope || state.sector)}-${state.asOf}.csv`, num);
  const tr = first.territory;
  return t('gaps.status', { count: num(first.totalCount), small: state.small ? t('gaps.smallWord') : '', place, inhabitants: num(first.uncovered.inhabitants), scope, date: date(state.asOf), comuni: num(tr.comuni), smallComuni: num(tr.smallComuni) });
});

// ---- live updates ----------------------------------------------------------

// coverageChanged announces every coverage write; the panels that show
// coverage reload (once per burst of events). graphql-ws reconnects by
// itself when the connection drops.
let live = null;
let liveTimer = 0;
function setLive(s) {
  $('live').dataset.state = s;
  $('live').textContent = t(`live.${s}`);
}
function subscribeLive() {
  live ??= createClient({
    url: endpoint.replace(/^http/, 'ws'),
    connectionParams: () => (token() ? { Authorization: `Bearer ${token()}` } : {}),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: { connected: () => setLive('connected'), closed: () => setLive('lost'), connecting: () => setLive('connecting') },
  });
  live.unsubscribeCurrent?.();
  const dispose = live.subscribe({ query: Q.COVERAGE_CHANGED, variables: { sector: state.sector || null } }, {
    next: () => {
      clearTimeout(liveTimer);
      liveTimer = setTimeout(() => {
        detailsCache.clear();
        $('live').dataset.events = String(Number($('live').dataset.events ?? 0) + 1);
        refreshMap();
        refreshTimeline();
        refreshGaps();
      }, 250);
    },
    error: (err) => {
      setLive('lost');
      console.warn('coverageChanged:', err);
    },
    complete: () => {},
  });
  live.unsubscribeCurrent = dispose;
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
    subscribeLive();
    refreshAll();
  });
  $('late-all').addEventListener('click', () => {
    lateProvince = '';
    showLate();
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
      const [kind, code] = state.territory.split(':');
      if (kind === 'province') chooseProvince(code, false);
      keepInURL();
      refreshGaps();
    });
  }
  $('smallOnly').checked = state.small;
  $('gaps-form').addEventListener('submit', (e) => e.preventDefault());
  $('gaps-csv').addEventListener('click', (e) => {
    if (e.currentTarget.getAttribute('aria-disabled') === 'true') e.preventDefault();
  });
  $('find').addEventListener('submit', onFind);
  $('zoom-in').addEventListener('click', () => map.zoomBy(1.6));
  $('zoom-out').addEventListener('click', () => map.zoomBy(1 / 1.6));
  $('zoom-reset').addEventListener('click', () => map.resetZoom());

  comuniReady = loadComuni();
  subscribeLive();
  refreshAll();
  comuniReady.then(() => {
    if (state.province) chooseProvince(state.province, false);
    else showProvince();
  }, () => {});
}

translatePage();
setLive('connecting');
$('lang').addEventListener('change', (e) => {
  localStorage.setItem(LANG_KEY, e.target.value);
  const p = new URLSearchParams(location.search);
  p.set('lang', e.target.value);
  location.search = p.toString();
});

// A new token reloads the page, which asks for everything again with it.
$('token').value = token();
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const v = $('token').value.trim();
  if (v) sessionStorage.setItem(TOKEN_KEY, v);
  else sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});

// Without the setup nothing can be drawn: retry it until the server answers.
let startDelay = 1;
function boot() {
  start().catch((err) => {
    if (err.status === 401) $('token-box').open = true;
    for (const id of ['map', 'network', 'timeline', 'gaps']) {
      $(`${id}-panel`).dataset.state = 'error';
      $(`${id}-status`).textContent = `${t('failed', { message: err.message })} ${t('retryIn', { seconds: startDelay })}`;
    }
    console.warn(err);
    setTimeout(boot, startDelay * 1000);
    startDelay = Math.min(30, startDelay * 2);
  });
}
boot();
