// The map of Italy: approximate Province areas (see areas.js) coloured by
// the share of their Comuni covered, region and Province borders, and one
// SVG point per Comune with coordinates, projected from latitude and
// longitude (no map tiles). d3-zoom gives pan and zoom (mouse, touch and
// the +/− buttons).

import { select } from 'd3-selection';
import { zoom, zoomIdentity } from 'd3-zoom';
import { areas } from './areas.js';
import { project } from './projection.js';

const SVG = 'http://www.w3.org/2000/svg';

// Coverage classes of a point, also used by the legend.
export const COVERED = 'covered';
export const TERRITORY = 'territory'; // in a providing Province, not covered
export const OUTSIDE = 'outside';
export const LATE = 'late'; // planned by the selected service's rollout, due and not covered

// Choropleth classes: upper bounds of the share of covered Comuni.
export const SHARE_CLASSES = [0.2, 0.4, 0.6, 0.8, 1];

export function shareClass(share) {
  if (share == null) return 'none';
  return `s${SHARE_CLASSES.findIndex((b) => share <= b)}`;
}

function el(name, attrs = {}) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

export class CoverageMap {
  // svg: the <svg> element to draw into; onPoint(code | null, event) is
  // called when the pointer enters a point or leaves the map;
  // onProvince(code) when a Province is clicked.
  constructor(svg, onPoint, onProvince) {
    this.svg = svg;
    this.points = new Map(); // code -> <circle>
    this.areas = new Map(); // Province code -> <path>
    this.marker = null;
    this.viewport = null;
    svg.addEventListener('mouseover', (e) => {
      const code = e.target.dataset?.code;
      if (code && e.target.classList.contains('pt')) onPoint(code, e);
    });
    svg.addEventListener('mouseleave', (e) => onPoint(null, e));
    svg.addEventListener('click', (e) => {
      const t = e.target;
      const province = t.classList?.contains('area') ? t.dataset.code : t.classList?.contains('pt') ? t.dataset.province : null;
      if (province) onProvince(province);
    });
    this.zoom = zoom().scaleExtent([1, 24]).on('zoom', (ev) => {
      this.viewport?.setAttribute('transform', ev.transform.toString());
      // Points and borders keep their size on screen whatever the zoom.
      this.svg.style.setProperty('--k', String(ev.transform.k));
      this.svg.dataset.zoom = ev.transform.k.toFixed(2);
    });
    select(svg).call(this.zoom);
  }

  zoomBy(factor) {
    select(this.svg).call(this.zoom.scaleBy, factor);
  }

  resetZoom() {
    select(this.svg).call(this.zoom.transform, zoomIdentity);
  }

  // draw places the Comuni that have coordinates, the areas and borders
  // of their Provinces and regions, and returns how many Comuni it drew.
  // regionOf maps a Province code to its region code.
  draw(comuni, regionOf) {
    const located = comuni.filter((c) => c.latitude != null && c.longitude != null);
    const { width, height, xy } = project(located.map((c) => ({ lat: c.latitude, lon: c.longitude })));
    this.svg.setAttribute('viewBox', `0 0 ${width.toFixed(1)} ${height}`);
    this.zoom.extent([[0, 0], [width, height]]).translateExtent([[0, 0], [width, height]]);

    // About 13 km around each Comune (the map is 1,000 units for Italy's 11.5° of latitude).
    const radius = 10;
    const shapes = areas(located.map((c, i) => ({ ...xy[i], province: c.provinceCode, region: regionOf(c.provinceCode) })), width, height, radius);
    const areaLayer = el('g', { class: 'areas' });
    this.areas.clear();
    for (const [code, d] of shapes.provinces) {
      const path = el('path', { d, class: 'area none' });
      path.dataset.code = code;
      areaLayer.append(path);
      this.areas.set(code, path);
    }
    const borders = el('g', { class: 'borders' });
    borders.append(el('path', { d: shapes.provinceBorders, class: 'province-border' }), el('path', { d: shapes.regionBorders, class: 'region-border' }));

    const g = el('g', { class: 'points' });
    this.points.clear();
    located.forEach((c, i) => {
      const dot = el('circle', { cx: xy[i].x.toFixed(1), cy: xy[i].y.toFixed(1), class: `pt ${OUTSIDE}${c.capital ? ' capital' : ''}` });
      dot.dataset.code = c.code;
      dot.dataset.province = c.provinceCode;
      g.append(dot);
      this.points.set(c.code, dot);
    });
    this.marker = el('circle', { class: 'marker', r: 9, visibility: 'hidden' });
    this.viewport = el('g', { class: 'viewport' });
    this.viewport.append(areaLayer, borders, g, this.marker);
    this.svg.replaceChildren(this.viewport);
    this.svg.dataset.points = String(located.length);
    this.svg.dataset.areas = String(this.areas.size);
    this.resetZoom();
    return located.length;
  }

  // colour gives each point its class: covered (codes in covered), in a
  // providing Province (province code in territory) or outside, and each
  // Province area the class of its share of covered Comuni (shares: code ->
  // share, absent where no selected service runs). It returns the count of
  // each point class.
  // late: codes of the selected service's late planned Comuni, marked with
  // their own class (shape and colour, see the legend) over the others.
  colour(comuni, covered, territory, shares, late = new Set()) {
    const counts = { [COVERED]: 0, [TERRITORY]: 0, [OUTSIDE]: 0, [LATE]: 0 };
    for (const c of comuni) {
      const dot = this.points.get(c.code);
      if (!dot) continue;
      const cls = late.has(c.code) ? LATE : covered.has(c.code) ? COVERED : territory.has(c.provinceCode) ? TERRITORY : OUTSIDE;
      counts[cls]++;
      dot.setAttribute('class', `pt ${cls}${c.capital ? ' capital' : ''}`);
    }
    for (const [code, path] of this.areas) {
      const share = shares.get(code);
      path.setAttribute('class', `area ${shareClass(share)}${path.classList.contains('selected') ? ' selected' : ''}`);
      path.dataset.share = share == null ? '' : share.toFixed(4);
    }
    this.svg.dataset.covered = String(counts[COVERED]);
    this.svg.dataset.territory = String(counts[TERRITORY]);
    this.svg.dataset.late = String(counts[LATE]);
    return counts;
  }

  // select outlines one Province (none when code is null).
  selectProvince(code) {
    for (const [c, path] of this.areas) path.classList.toggle('selected', c === code);
    this.svg.dataset.selected = code ?? '';
  }

  // mark rings one Comune (or hides the ring when code is null).
  mark(code) {
    const dot = code && this.points.get(code);
    if (!dot) {
      this.marker.setAttribute('visibility', 'hidden');
      return;
    }
    this.marker.setAttribute('cx', dot.getAttribute('cx'));
    this.marker.setAttribute('cy', dot.getAttribute('cy'));
    this.marker.setAttribute('visibility', 'visible');
  }
}
