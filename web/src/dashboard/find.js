// Finding Comuni by name, accents and case ignored.

export function fold(s) {
  return s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

// findComuni returns up to limit matches of q, best first: exact names,
// then names starting with q, then names containing it (each group by
// name), and how many more matched.
export function findComuni(comuni, q, limit = 20) {
  const needle = fold(q.trim());
  if (!needle) return { matches: [], more: 0 };
  const rank = (c) => {
    const n = fold(c.name);
    // Bilingual names ("Bolzano/Bozen") match on either part.
    const parts = [n, ...n.split('/')];
    if (parts.includes(needle)) return 0;
    if (parts.some((p) => p.startsWith(needle))) return 1;
    if (n.includes(needle)) return 2;
    return -1;
  };
  const found = comuni.map((c) => [rank(c), c]).filter(([r]) => r >= 0);
  found.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name, 'it'));
  return { matches: found.slice(0, limit).map(([, c]) => c), more: Math.max(0, found.length - limit) };
}
