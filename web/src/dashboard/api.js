// A minimal GraphQL client over fetch: the dashboard talks to pcnet's
// public API like any other client.

export class GraphQLError extends Error {
  constructor(errors, status) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'GraphQLError';
    this.errors = errors;
    this.status = status;
  }
}

// client returns request(query, variables): the data of the answer, or a
// rejection carrying the GraphQL or HTTP error (with the HTTP status).
// token() gives the bearer token to send, if any.
export function client(endpoint, token = () => '') {
  return async function request(query, variables = {}) {
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    let body;
    try {
      body = await res.json();
    } catch {
      throw Object.assign(new Error(`GraphQL request failed: HTTP ${res.status}`), { status: res.status });
    }
    if (body.errors?.length) throw new GraphQLError(body.errors, res.status);
    if (!res.ok) throw Object.assign(new Error(`GraphQL request failed: HTTP ${res.status}`), { status: res.status });
    return body.data;
  };
}

// allPages walks a Relay connection: page(after) returns one page of it
// (an object with edges and pageInfo); the result is every page, in order.
export async function allPages(page) {
  const pages = [];
  let after = null;
  for (;;) {
    const conn = await page(after);
    pages.push(conn);
    if (!conn.pageInfo.hasNextPage) return pages;
    after = conn.pageInfo.endCursor;
  }
}
