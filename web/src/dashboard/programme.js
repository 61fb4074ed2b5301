// Pure helpers for the programme views of the dashboard (issue 13): the
// rollout plan against coverage on the timeline, the late planned Comuni on
// the map and participation on the network view. No DOM here, so Node's test
// runner checks them directly.

// plannedSeries: for each date (ISO, ascending) the Comuni and inhabitants
// the plan had due by that day (due <= date), from rolloutProgress.targets.
export function plannedSeries(targets, dates) {
  const sorted = [...targets].sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  const out = [];
  let k = 0;
  let comuni = 0;
  let inhabitants = 0;
  for (const d of dates) {
    while (k < sorted.length && sorted[k].due <= d) {
      comuni++;
      inhabitants += sorted[k].comune.population ?? 0;
      k++;
    }
    out.push({ date: d, comuni, inhabitants });
  }
  return out;
}

// lateByProvince groups rolloutProgress.late by the Comune's Province code,
// so the map marks each Province with late planned Comuni and a click lists
// them, most late first.
export function lateByProvince(late) {
  const by = new Map();
  for (const t of late) {
    const code = t.comune.province?.code ?? '';
    if (!by.has(code)) by.set(code, []);
    by.get(code).push(t);
  }
  for (const list of by.values()) list.sort((a, b) => b.daysLate - a.daysLate || (a.comune.code < b.comune.code ? -1 : 1));
  return by;
}

// participationOn: per Province code, the sectors it takes part in on day
// asOf and the earliest day it joined one of them (half-open periods:
// since <= asOf < until). Provinces absent from the map do not take part.
export function participationOn(participations, asOf) {
  const by = new Map();
  for (const p of participations) {
    if (p.since > asOf || (p.until && asOf >= p.until)) continue;
    const code = p.province.code;
    const cur = by.get(code) ?? { since: p.since, sectors: [] };
    if (p.since < cur.since) cur.since = p.since;
    cur.sectors.push(p.sector.code);
    by.set(code, cur);
  }
  for (const v of by.values()) v.sectors.sort();
  return by;
}
