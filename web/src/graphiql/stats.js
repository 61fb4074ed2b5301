// The time and size of each response GraphiQL runs, for the footer under
// the response: a fetch wrapper records them, React reads them through
// useSyncExternalStore.

let last = null;
const listeners = new Set();

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const snapshot = () => last;

export function record(stats) {
  last = stats;
  for (const fn of listeners) fn();
}

// timedFetch is fetch that records how long the answer took (until its
// body was read) and how many bytes the body had.
export function timedFetch(fetchImpl = globalThis.fetch.bind(globalThis)) {
  return async (input, init) => {
    const start = performance.now();
    const res = await fetchImpl(input, init);
    // GraphiQL's own schema fetch is not a response the user asked for.
    if (typeof init?.body === 'string' && init.body.includes('"operationName":"IntrospectionQuery"')) return res;
    const body = await res.clone().arrayBuffer();
    record({ ms: performance.now() - start, bytes: body.byteLength, status: res.status, kind: 'http' });
    return res;
  };
}

// formatStats: "200 · 12 ms · 3.4 kB".
export function formatStats(s) {
  if (!s) return 'No response yet.';
  const size = s.bytes < 1000 ? `${s.bytes} B` : `${(s.bytes / 1000).toFixed(1)} kB`;
  return `${s.kind === 'ws' ? 'subscription event' : `HTTP ${s.status}`} · ${Math.round(s.ms)} ms · ${size}`;
}
