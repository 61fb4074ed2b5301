// Date helpers on ISO dates (YYYY-MM-DD strings), free of time zones.

// todayISO is the local calendar day.
export function todayISO(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function isISODate(s) {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

function monthsBetween(from, to) {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}

// addMonths moves an ISO date by n months (n may be negative), clamping the
// day to the end of a shorter month, as the API does.
export function addMonths(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  const p = (v) => String(v).padStart(2, '0');
  return `${String(ny).padStart(4, '0')}-${p(nm)}-${p(Math.min(d, last))}`;
}

const STEP = { MONTH: 1, QUARTER: 3, YEAR: 12 };

// timelineRange picks the dates of a rollout chart so that its last date is
// `to`: monthly when the earliest start is at most two years before `to`,
// quarterly otherwise (yearly past 60 years, to stay within the API's 240
// dates), starting on the last step at or before the earliest start. With
// no start it shows the year before `to`, monthly.
export function timelineRange(starts, to) {
  const earliest = starts.filter((s) => s && s <= to).sort()[0] ?? addMonths(to, -12);
  const months = monthsBetween(earliest, to) + (earliest.slice(8) > to.slice(8) ? 1 : 0);
  const interval = months <= 24 ? 'MONTH' : months <= 3 * 239 ? 'QUARTER' : 'YEAR';
  const steps = Math.ceil(months / STEP[interval]);
  return { from: addMonths(to, -steps * STEP[interval]), to, interval };
}
