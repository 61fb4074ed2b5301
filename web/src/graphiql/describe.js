// describe turns an example operation into what the examples list shows:
// its operation name as the title and the first sentence of its leading
// comment (at most about 160 characters) as the summary.
export function describe({ name, operationName, query }) {
  const comment = [];
  for (const line of query.split('\n')) {
    const m = line.match(/^\s*#\s?(.*)$/);
    if (!m) break;
    comment.push(m[1].trim());
  }
  const text = comment.join(' ').trim();
  const sentence = text.match(/^.*?\.(?=\s|$)/)?.[0] ?? text;
  const summary = sentence.length > 160 ? `${sentence.slice(0, sentence.lastIndexOf(' ', 157))}…` : sentence;
  return { title: operationName || name, summary };
}
