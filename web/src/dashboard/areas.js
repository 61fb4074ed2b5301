// Approximate Province and region areas drawn from the Comuni's
// coordinates alone: no official boundary file ships with a licence on npm
// (and nothing may be downloaded at run time). Each Comune gets its Voronoi
// cell (d3-delaunay), cut to a disc around it so that coastal cells don't
// reach across the sea; a Province's area is the union of its Comuni's
// cells, and a border is drawn wherever two neighbouring cells belong to
// different Provinces (or regions). The result is labelled approximate.

import { Delaunay } from 'd3-delaunay';

const SIDES = 20;

// clipConvex cuts a polygon to the convex polygon clip (Sutherland–Hodgman:
// small and exact for the two convex shapes met here).
function clipConvex(poly, clip) {
  let out = poly;
  for (let i = 0; i < clip.length && out.length; i++) {
    const [ax, ay] = clip[i];
    const [bx, by] = clip[(i + 1) % clip.length];
    const inside = ([x, y]) => (bx - ax) * (y - ay) - (by - ay) * (x - ax) >= 0;
    const cross = ([px, py], [qx, qy]) => {
      const a1 = by - ay, b1 = ax - bx, c1 = a1 * ax + b1 * ay;
      const a2 = qy - py, b2 = px - qx, c2 = a2 * px + b2 * py;
      const det = a1 * b2 - a2 * b1;
      return [(b2 * c1 - b1 * c2) / det, (a1 * c2 - a2 * c1) / det];
    };
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j];
      const q = input[(j + 1) % input.length];
      if (inside(q)) {
        if (!inside(p)) out.push(cross(p, q));
        out.push(q);
      } else if (inside(p)) {
        out.push(cross(p, q));
      }
    }
  }
  return out;
}

function disc(x, y, r) {
  const pts = [];
  for (let i = 0; i < SIDES; i++) {
    const a = (2 * Math.PI * i) / SIDES;
    pts.push([x + r * Math.cos(a), y + r * Math.sin(a)]);
  }
  return pts;
}

// clipSegment cuts the segment p–q to the disc (cx, cy, r); null if outside.
function clipSegment([px, py], [qx, qy], cx, cy, r) {
  const dx = qx - px, dy = qy - py;
  const fx = px - cx, fy = py - cy;
  const a = dx * dx + dy * dy;
  const b = 2 * (fx * dx + fy * dy);
  const c = fx * fx + fy * fy - r * r;
  const disc2 = b * b - 4 * a * c;
  if (a === 0 || disc2 <= 0) return null;
  const s = Math.sqrt(disc2);
  const t0 = Math.max(0, (-b - s) / (2 * a));
  const t1 = Math.min(1, (-b + s) / (2 * a));
  if (t0 >= t1) return null;
  return [[px + t0 * dx, py + t0 * dy], [px + t1 * dx, py + t1 * dy]];
}

const f = (n) => n.toFixed(1);
const ring = (poly) => `M${poly.map(([x, y]) => `${f(x)},${f(y)}`).join('L')}Z`;

// areas takes points [{x, y, province, region}] in map units, the map's
// width and height and the radius of the disc each cell is cut to. It
// returns { provinces: Map(code -> SVG path of its area), provinceBorders,
// regionBorders } (SVG paths).
export function areas(points, width, height, radius) {
  const delaunay = Delaunay.from(points, (p) => p.x, (p) => p.y);
  const voronoi = delaunay.voronoi([0, 0, width, height]);
  const parts = new Map();
  points.forEach((p, i) => {
    const cell = voronoi.cellPolygon(i);
    if (!cell) return; // a duplicate point has no cell of its own
    const poly = clipConvex(cell.slice(0, -1), disc(p.x, p.y, radius));
    if (poly.length < 3) return;
    if (!parts.has(p.province)) parts.set(p.province, []);
    parts.get(p.province).push(ring(poly));
  });
  const provinces = new Map([...parts].map(([code, rings]) => [code, rings.join('')]));

  // A Voronoi edge joins the circumcentres of the two triangles sharing a
  // Delaunay edge; cut to the disc of either end (same radius, same chord).
  const { triangles, halfedges } = delaunay;
  const cc = voronoi.circumcenters;
  const provinceBorders = [];
  const regionBorders = [];
  for (let e = 0; e < halfedges.length; e++) {
    const o = halfedges[e];
    if (o < e) continue; // each edge once; -1 is the hull
    const i = triangles[e];
    const j = triangles[e % 3 === 2 ? e - 2 : e + 1];
    const a = points[i], b = points[j];
    if (a.province === b.province) continue;
    const t1 = Math.floor(e / 3), t2 = Math.floor(o / 3);
    const seg = clipSegment([cc[2 * t1], cc[2 * t1 + 1]], [cc[2 * t2], cc[2 * t2 + 1]], a.x, a.y, radius);
    if (!seg) continue;
    const d = `M${f(seg[0][0])},${f(seg[0][1])}L${f(seg[1][0])},${f(seg[1][1])}`;
    (a.region === b.region ? provinceBorders : regionBorders).push(d);
  }
  return { provinces, provinceBorders: provinceBorders.join(''), regionBorders: regionBorders.join('') };
}
