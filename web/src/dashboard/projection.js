// project maps WGS84 coordinates onto a plane for the map of Italy: an
// equirectangular projection whose longitudes are scaled by the cosine of
// the middle latitude, which keeps Italy's shape at this size, fitted into
// a box `height` units tall with a margin. Points are {lat, lon}; the result
// has x, y for each point (same order) and the box's width and height.
export function project(points, height = 1000, margin = 10) {
  if (points.length === 0) return { width: 0, height: 0, xy: [] };
  let minLat = Infinity, maxLat = -Infinity, minLon = Infinity, maxLon = -Infinity;
  for (const { lat, lon } of points) {
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
    if (lon < minLon) minLon = lon;
    if (lon > maxLon) maxLon = lon;
  }
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanY = maxLat - minLat || 1;
  const scale = (height - 2 * margin) / spanY;
  const width = (maxLon - minLon) * kx * scale + 2 * margin;
  const xy = points.map(({ lat, lon }) => ({
    x: margin + (lon - minLon) * kx * scale,
    y: margin + (maxLat - lat) * scale,
  }));
  return { width, height, xy };
}
