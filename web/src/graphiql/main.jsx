// pcnet's GraphiQL: the npm graphiql package with the explorer plugin and
// an examples plugin, bundled at build time so the page works with no
// internet access. The server injects a JSON config into the page:
// { graphqlPath, examples: [{name, operationName, query}], defaultExample }.

import { useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { HISTORY_PLUGIN } from '@graphiql/plugin-history';
import { createLocalStorage } from '@graphiql/toolkit';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './graphiql.css';
import { examplesPlugin } from './examples.jsx';
import { createFetcher } from './fetcher.js';
import { formatStats, snapshot, subscribe } from './stats.js';

// Monaco runs its language services in workers built next to this bundle
// (see build.mjs); PCNET_WORKERS maps a worker's label to its file.
globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const path = PCNET_WORKERS[label] ?? PCNET_WORKERS.editor;
    return new Worker(new URL(path, document.baseURI));
  },
};

const config = JSON.parse(document.getElementById('pcnet-config').textContent);
const examples = config.examples ?? [];
const defaultExample = examples.find((ex) => ex.name === config.defaultExample);

const storage = createLocalStorage({ namespace: 'pcnet' });
const fetcher = createFetcher(new URL(config.graphqlPath, document.baseURI).href);

// The page keeps the active tab's operation in its URL (query, variables,
// operationName, for the reader: GraphiQL picks the operation to run from
// the document), so a link opens GraphiQL on that operation.
const params = new URLSearchParams(location.search);

function keepInURL(tabs) {
  const tab = tabs.tabs[tabs.activeTabIndex];
  if (!tab) return;
  const next = new URLSearchParams();
  if (tab.query) next.set('query', tab.query);
  if (tab.variables && tab.variables.trim()) next.set('variables', tab.variables);
  if (tab.operationName) next.set('operationName', tab.operationName);
  history.replaceState(null, '', `${location.pathname}?${next}`);
}

const examplesTab = examplesPlugin(examples);
// Passing plugins replaces GraphiQL's default list, so History is named here.
const plugins = [examplesTab, HISTORY_PLUGIN, explorerPlugin()];
// Show the examples the first time on a wide screen (on a phone they would
// take the whole width); afterwards GraphiQL remembers the user's choice.
const firstVisit = localStorage.getItem('pcnet:graphiql:visiblePlugin') === null;
// At 1440 px an open panel would leave the query less than 500 px, so only wider screens open it.
const wide = matchMedia('(min-width: 1600px)').matches;

function ResponseStats() {
  const s = useSyncExternalStore(subscribe, snapshot);
  return (
    <p className="pcnet-stats" data-testid="response-stats" role="status" data-ms={s ? Math.round(s.ms) : ''} data-bytes={s?.bytes ?? ''}>
      {formatStats(s)}
    </p>
  );
}

// Headers are for tokens; the editor accepts JSON with comments.
const defaultHeaders = '// Request headers as JSON, e.g. a token:\n// { "Authorization": "Bearer <token>" }\n{}\n';

// GraphiQL's tabs are an <li role="tab"> around a <button>: a control inside
// a control, which screen readers announce badly (axe: nested-interactive).
// Until GraphiQL fixes it, the tab role moves onto the button.
new MutationObserver(() => {
  for (const li of document.querySelectorAll('li.graphiql-tab[role="tab"]')) {
    const button = li.querySelector('button.graphiql-tab-button');
    if (!button) continue;
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-selected', li.getAttribute('aria-selected') ?? 'false');
    li.setAttribute('role', 'presentation');
    li.removeAttribute('aria-selected');
  }
}).observe(document.getElementById('graphiql'), { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-selected', 'role'] });

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    storage={storage}
    plugins={plugins}
    visiblePlugin={firstVisit && wide ? examplesTab : undefined}
    defaultQuery={defaultExample?.query}
    initialQuery={params.get('query') ?? undefined}
    initialVariables={params.get('variables') ?? undefined}
    defaultHeaders={defaultHeaders}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility={false}
    shouldPersistHeaders={false}
    showPersistHeadersSettings
    onTabChange={keepInURL}
  >
    <GraphiQL.Logo>
      <span className="pcnet-logo">
        <span>pcnet</span>
        <a href="dashboard">Dashboard</a>
      </span>
    </GraphiQL.Logo>
    <GraphiQL.Footer>
      <ResponseStats />
    </GraphiQL.Footer>
  </GraphiQL>,
);
