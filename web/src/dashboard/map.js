// The map of Italy: one SVG point per Comune with coordinates, projected
// from latitude and longitude (no map tiles), coloured by coverage.

import { project } from './projection.js';

const SVG = 'http://www.w3.org/2000/svg';

// Coverage classes of a point, also used by the legend.
export const COVERED = 'covered';
export const TERRITORY = 'territory'; // in a providing Province, not covered
export const OUTSIDE = 'outside';

export class CoverageMap {
  // svg: the <svg> element to draw into; onPoint(code | null, event) is
  // called when the pointer enters a point or leaves the map.
  constructor(svg, onPoint) {
    this.svg = svg;
    this.points = new Map(); // code -> <circle>
    this.marker = null;
    svg.addEventListener('mouseover', (e) => {
      const code = e.target.dataset?.code;
      if (code) onPoint(code, e);
    });
    svg.addEventListener('mouseleave', (e) => onPoint(null, e));
  }

  // draw places the Comuni that have coordinates and returns how many it drew.
  draw(comuni) {
    const located = comuni.filter((c) => c.latitude != null && c.longitude != null);
    const { width, height, xy } = project(located.map((c) => ({ lat: c.latitude, lon: c.longitude })));
    this.svg.setAttribute('viewBox', `0 0 ${width.toFixed(1)} ${height}`);
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('class', 'points');
    this.points.clear();
    located.forEach((c, i) => {
      const dot = document.createElementNS(SVG, 'circle');
      dot.setAttribute('cx', xy[i].x.toFixed(1));
      dot.setAttribute('cy', xy[i].y.toFixed(1));
      dot.setAttribute('r', c.capital ? 3.2 : 1.9);
      dot.setAttribute('class', `pt ${OUTSIDE}`);
      dot.dataset.code = c.code;
      g.append(dot);
      this.points.set(c.code, dot);
    });
    this.marker = document.createElementNS(SVG, 'circle');
    this.marker.setAttribute('class', 'marker');
    this.marker.setAttribute('r', 9);
    this.marker.setAttribute('visibility', 'hidden');
    this.svg.replaceChildren(g, this.marker);
    this.svg.dataset.points = String(located.length);
    return located.length;
  }

  // colour gives each point its class: covered (codes in covered), in a
  // providing Province (province code in territory) or outside. It returns
  // the count of each class.
  colour(comuni, covered, territory) {
    const counts = { [COVERED]: 0, [TERRITORY]: 0, [OUTSIDE]: 0 };
    for (const c of comuni) {
      const dot = this.points.get(c.code);
      if (!dot) continue;
      const cls = covered.has(c.code) ? COVERED : territory.has(c.provinceCode) ? TERRITORY : OUTSIDE;
      counts[cls]++;
      dot.setAttribute('class', `pt ${cls}`);
    }
    this.svg.dataset.covered = String(counts[COVERED]);
    this.svg.dataset.territory = String(counts[TERRITORY]);
    return counts;
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
