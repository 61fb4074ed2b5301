// The fetcher GraphiQL runs operations with: queries and mutations over
// HTTP (POST), subscriptions over a WebSocket (graphql-ws, the
// graphql-transport-ws protocol). Browsers can't set headers on a
// WebSocket, so the headers from GraphiQL's headers editor (a token, say)
// travel in the connection_init payload instead, where pcnet reads its
// Authorization.

import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import { record, timedFetch } from './stats.js';

export function wsURL(httpURL) {
  const u = new URL(httpURL);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

// closeError turns what graphql-ws reports on failure into an Error.
function closeError(err) {
  if (err instanceof Error) return err;
  if (err && typeof err === 'object' && 'code' in err) {
    return new Error(`the subscription's WebSocket closed: ${err.code}${err.reason ? ` ${err.reason}` : ''}`);
  }
  return new Error(String(err));
}

export function createFetcher(url) {
  const http = createGraphiQLFetcher({ url, fetch: timedFetch() });
  return function fetcher(params, opts) {
    const op = opts?.documentAST ? getOperationAST(opts.documentAST, params.operationName || undefined) : null;
    if (op?.operation !== 'subscription') return http(params, opts);
    return {
      subscribe(observer) {
        const client = createClient({ url: wsURL(url), connectionParams: opts?.headers ?? {}, lazy: true, retryAttempts: 0 });
        let since = performance.now();
        const dispose = client.subscribe(params, {
          next: (value) => {
            // For a subscription: the time since it started or since the last event.
            const now = performance.now();
            record({ ms: now - since, bytes: new TextEncoder().encode(JSON.stringify(value)).length, kind: 'ws' });
            since = now;
            observer.next(value);
          },
          error: (err) => (Array.isArray(err) ? observer.next({ errors: err }) : observer.error(closeError(err))),
          complete: () => observer.complete(),
        });
        return {
          unsubscribe() {
            dispose();
            client.dispose();
          },
        };
      },
    };
  };
}
