// The tutorship network of a sector as a graph: Provinces as nodes (by
// role), tutorships as arrows from tutor to tutored. The layout is a
// d3-force simulation run to rest before drawing; d3-force starts from a
// fixed arrangement and uses a fixed random source, so the same network is
// always drawn the same way.

import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3-force';

import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROLE_KEYS = { TUTOR: 'network.tutor', TUTORED: 'network.tutored', BOTH: 'network.both' };
export const roleName = (role) => t(ROLE_KEYS[role]).toLowerCase();

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

const radius = (n) => (n.role === 'TUTORED' ? 12 : 15);

// layout places the nodes; it returns {nodes, links, width, height} with
// x, y on each node.
export function layout(network, boxWidth = 620, boxHeight = 460) {
  const nodes = network.nodes.map((n) => ({ ...n, id: n.province.code }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links = network.edges
    .filter((e) => byId.has(e.tutor.code) && byId.has(e.tutored.code))
    .map((e) => ({ ...e, source: e.tutor.code, target: e.tutored.code }));
  const sim = forceSimulation(nodes)
    .force('link', forceLink(links).id((d) => d.id).distance(42).strength(0.7))
    .force('charge', forceManyBody().strength(-110))
    .force('collide', forceCollide(24))
    // Pull the separate parts of the network together, so they fill the box.
    .force('x', forceX(0).strength(0.14))
    .force('y', forceY(0).strength(0.14))
    .stop();
  const ticks = Math.ceil(Math.log(sim.alphaMin()) / Math.log(1 - sim.alphaDecay()));
  sim.tick(ticks);
  // Fit into the box the panel shows (so drawing units are about pixels),
  // with room for the circles.
  const pad = 40; // room for the names under the circles
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const k = Math.min((boxWidth - 2 * pad) / (maxX - minX || 1), (boxHeight - 2 * pad) / (maxY - minY || 1), 2.5);
  const width = (maxX - minX) * k + 2 * pad;
  const height = (maxY - minY) * k + 2 * pad;
  for (const n of nodes) {
    n.x = pad + (n.x - minX) * k;
    n.y = pad + (n.y - minY) * k;
  }
  return { nodes, links, width, height };
}

// drawNetwork renders the network into svg and returns the number of
// nodes. onFocus(code | null) follows hover and focus; onSelect(code) is
// called when a Province is clicked or chosen with Enter or Space.
// participation (programme.js participationOn): code -> { since } of the
// Provinces taking part in the sector; the others are drawn dashed.
export function drawNetwork(svg, network, onFocus, onSelect, fmt, participation = new Map()) {
  const { nodes, links, width, height } = layout(network);
  svg.setAttribute('viewBox', `0 0 ${Math.max(width, 1).toFixed(0)} ${Math.max(height, 1).toFixed(0)}`);
  const defs = el('defs');
  // Fixed-size arrowheads, their tips where the lines end (at the edge of
  // the tutored Province's circle).
  const arrow = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '9', markerHeight: '9', markerUnits: 'userSpaceOnUse', orient: 'auto' });
  arrow.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(arrow);

  const edgeLayer = el('g', { class: 'edges' });
  for (const l of links) {
    const dx = l.target.x - l.source.x;
    const dy = l.target.y - l.source.y;
    const len = Math.hypot(dx, dy) || 1;
    const back = radius(l.target) + 1.5;
    const line = el('line', {
      x1: l.source.x.toFixed(1), y1: l.source.y.toFixed(1),
      x2: (l.target.x - (dx / len) * back).toFixed(1), y2: (l.target.y - (dy / len) * back).toFixed(1),
      class: `edge step-${l.step}`, 'marker-end': 'url(#arrow)',
    });
    line.dataset.tutor = l.source.id;
    line.dataset.tutored = l.target.id;
    line.append(el('title', {}, t('network.tutors', { tutor: l.source.province.name, tutored: l.target.province.name, step: l.step, since: fmt.date(l.since) })));
    edgeLayer.append(line);
  }

  const nodeLayer = el('g', { class: 'nodes' });
  for (const n of nodes) {
    // The accessible name starts with the visible name (WCAG 2.5.3).
    const part = participation.get(n.id);
    const label = t('network.label', { name: n.province.name, plate: n.province.plateCode, region: n.province.region.name, role: roleName(n.role) }) +
      (part ? t('network.participates', { since: fmt.date(part.since) }) : t('network.notParticipating'));
    const g = el('g', { class: `node ${n.role.toLowerCase()} ${part ? 'participating' : 'not-participating'}`, transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`, tabindex: '0', role: 'button', 'aria-label': label });
    g.dataset.code = n.id;
    g.append(el('title', {}, label));
    g.append(el('circle', { r: radius(n) }));
    // Only the name is written (the plate is in the title): two texts in
    // one control would not read as its accessible name (WCAG 2.5.3).
    g.append(el('text', { class: 'name', dy: `${radius(n) + 11}` }, n.province.name));
    g.addEventListener('click', () => onSelect?.(n.id));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect?.(n.id);
      }
    });
    g.addEventListener('focus', () => onFocus?.(n.id));
    g.addEventListener('mouseenter', () => onFocus?.(n.id));
    g.addEventListener('blur', () => onFocus?.(null));
    g.addEventListener('mouseleave', () => onFocus?.(null));
    nodeLayer.append(g);
  }
  svg.replaceChildren(defs, edgeLayer, nodeLayer);
  svg.dataset.nodes = String(nodes.length);
  svg.dataset.edges = String(links.length);
  return nodes.length;
}

// select filters the drawing to one Province's tutorships (all when code
// is null): its lines stand out, the others and the unrelated Provinces fade.
export function selectNode(svg, code) {
  const related = new Set(code ? [code] : []);
  for (const line of svg.querySelectorAll('line.edge')) {
    if (line.dataset.tutor === code) related.add(line.dataset.tutored);
    if (line.dataset.tutored === code) related.add(line.dataset.tutor);
  }
  for (const g of svg.querySelectorAll('g.node')) {
    g.classList.toggle('selected', g.dataset.code === code);
    g.classList.toggle('dim', Boolean(code) && !related.has(g.dataset.code));
  }
  svg.dataset.selected = code ?? '';
  highlight(svg, code);
}

// highlight emphasises the tutorships of one Province (none when code is null).
export function highlight(svg, code) {
  for (const line of svg.querySelectorAll('line.edge')) {
    const on = code && (line.dataset.tutor === code || line.dataset.tutored === code);
    line.classList.toggle('on', Boolean(on));
    line.classList.toggle('dim', Boolean(code) && !on);
  }
}
