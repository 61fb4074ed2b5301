// The "Examples" sidebar plugin: every documented example operation of
// pcnet (the examples/ folder, injected into the page by the server),
// searchable, each opening in a new tab.

import { useMemo, useState } from 'react';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { describe } from './describe.js';

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path d="M4 5.5A1.5 1.5 0 0 1 5.5 4H19v14H5.5A1.5 1.5 0 0 0 4 19.5v-14Z" strokeLinejoin="round" />
      <path d="M4 19.5A1.5 1.5 0 0 0 5.5 21H19v-3" strokeLinejoin="round" />
      <path d="M8 8h7M8 11h5" strokeLinecap="round" />
    </svg>
  );
}

function ExamplesPane({ examples }) {
  const { addTab, setOperationName } = useGraphiQLActions();
  const queryEditor = useGraphiQL((s) => s.queryEditor);
  const variableEditor = useGraphiQL((s) => s.variableEditor);
  const [filter, setFilter] = useState('');
  const items = useMemo(() => examples.map((ex) => ({ ...ex, ...describe(ex) })), [examples]);
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? items.filter((ex) => `${ex.title} ${ex.name} ${ex.summary}`.toLowerCase().includes(needle))
    : items;

  const open = (ex) => {
    addTab();
    queryEditor?.setValue(ex.query);
    variableEditor?.setValue('');
    // GraphiQL reads the operation name from the editor a moment after an
    // edit; set it now, so running at once runs this example.
    if (ex.operationName) setOperationName(ex.operationName);
  };

  return (
    <section className="pcnet-examples" aria-labelledby="pcnet-examples-title">
      <div className="graphiql-doc-explorer-title" id="pcnet-examples-title">
        Examples
      </div>
      <p className="pcnet-note">
        The documented example operations of pcnet. Choosing one opens it in a new tab. The network data is
        illustrative, not real programme data.
      </p>
      <label>
        <span className="pcnet-note">Filter</span>
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. reach, tutor, comuni" />
      </label>
      <ul aria-label="Example operations" data-testid="examples-list">
        {shown.map((ex) => (
          <li key={ex.name}>
            <button type="button" onClick={() => open(ex)} data-example={ex.name} title={`Open ${ex.title} in a new tab`}>
              <strong>{ex.title}</strong>
              {ex.summary && <small>{ex.summary}</small>}
            </button>
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p className="pcnet-note">No example matches “{filter}”.</p>}
    </section>
  );
}

export function examplesPlugin(examples) {
  return {
    title: 'Examples',
    icon: ExamplesIcon,
    content: () => <ExamplesPane examples={examples} />,
  };
}
