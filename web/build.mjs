// Builds pcnet's browser pages into ../internal/web/dist, which the Go
// binary embeds (package internal/web): the built files are committed, so
// `go run ./cmd/pcnet serve` works on a fresh clone without Node.
//
//   node build.mjs          build, and record the sources' fingerprint
//   node build.mjs --check  exit 1 when the committed build is older than the sources
//
// Output: graphiql.html and dashboard.html (templates the Go side fills
// with a JSON config), assets/ with content-hashed names (served with a
// long cache life), operations.json (the dashboard's GraphQL operations)
// and build-info.json (the sources' fingerprint and the size of every
// file).

import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sourceHash } from './sourcehash.mjs';
import { ALL as dashboardOperations } from './src/dashboard/queries.js';

const webDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(webDir, '..', 'internal', 'web', 'dist');
const assetsDir = join(outDir, 'assets');
const infoFile = join(outDir, 'build-info.json');

if (process.argv.includes('--check')) {
  const want = sourceHash(webDir);
  let got = '';
  try {
    got = JSON.parse(readFileSync(infoFile, 'utf8')).sourceHash;
  } catch {
    // no build yet
  }
  if (got !== want) {
    console.error(`internal/web/dist is stale (built from ${got || 'nothing'}, sources are ${want}): run \`cd web && npm ci && npm run build\` and commit the result`);
    process.exit(1);
  }
  console.log(`internal/web/dist is up to date with web/ (${want.slice(0, 12)})`);
  process.exit(0);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(assetsDir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

// Monaco (GraphiQL's editor) runs its language services in web workers;
// they are separate classic-script bundles, and the page is told their
// hashed names at build time.
const workerEntries = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};
const workers = await esbuild.build({ ...common, entryPoints: workerEntries, format: 'iife' });
const workerURLs = {};
for (const [out, meta] of Object.entries(workers.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  const name = Object.keys(workerEntries).find((n) => basename(out).startsWith(`${n}-`));
  workerURLs[name.replace('.worker', '')] = `assets/${basename(out)}`;
}

// graphiql/style.css already carries Monaco's styles (and its icon font);
// the copies Monaco's own modules import would only be loaded by nothing.
const skipMonacoCSS = {
  name: 'skip-monaco-css',
  setup(build) {
    build.onLoad({ filter: /[\\/]monaco-editor[\\/].*\.css$/ }, () => ({ contents: '', loader: 'css' }));
  },
};

const pages = {
  graphiql: 'src/graphiql/main.jsx',
  dashboard: 'src/dashboard/main.js',
};
const main = await esbuild.build({
  ...common,
  absWorkingDir: webDir,
  entryPoints: pages,
  format: 'esm',
  splitting: true,
  jsx: 'automatic',
  plugins: [skipMonacoCSS],
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
  define: { ...common.define, PCNET_WORKERS: JSON.stringify(workerURLs) },
});

// Each page's HTML template names its entry script and stylesheet.
for (const [page, entry] of Object.entries(pages)) {
  const [out, meta] = Object.entries(main.metafile.outputs).find(([, m]) => m.entryPoint === entry);
  const script = `assets/${basename(out)}`;
  const style = meta.cssBundle ? `assets/${basename(meta.cssBundle)}` : '';
  let html = readFileSync(join(webDir, 'src', page, 'index.html'), 'utf8');
  html = html.replace('%SCRIPT%', script).replace('%STYLE%', style);
  const left = html.match(/%[A-Z]+%/);
  if (left) throw new Error(`${page}: unfilled placeholder ${left[0]}`);
  writeFileSync(join(outDir, `${page}.html`), html);
}

// The dashboard's operations, verbatim, so the server can know them (a
// server that runs persisted operations only must accept them).
writeFileSync(join(outDir, 'operations.json'), JSON.stringify(dashboardOperations, null, 2) + '\n');

// CSS bundles of lazily loaded chunks are never loaded by anything (the
// pages link only their entry's stylesheet), so they are not shipped.
const entries = new Set(Object.values(pages));
const linked = new Set(Object.values(main.metafile.outputs).filter((m) => entries.has(m.entryPoint)).map((m) => m.cssBundle));
for (const out of Object.keys(main.metafile.outputs)) {
  if (out.endsWith('.css') && !linked.has(out)) {
    rmSync(join(webDir, out));
    delete main.metafile.outputs[out];
  }
}

// axe-core, for the accessibility checks of the browser tests
// (internal/web/browser_test.go injects it into the pages): copied from
// node_modules so that `go test` needs no npm and nothing is downloaded at
// test time. It is not served to anyone.
const axeDir = join(webDir, '..', 'internal', 'web', 'testdata');
mkdirSync(axeDir, { recursive: true });
copyFileSync(join(webDir, 'node_modules', 'axe-core', 'axe.min.js'), join(axeDir, 'axe.min.js'));
writeFileSync(join(axeDir, 'axe.VERSION'), `axe-core ${JSON.parse(readFileSync(join(webDir, 'node_modules', 'axe-core', 'package.json'), 'utf8')).version}, MPL-2.0 (https://github.com/dequelabs/axe-core), copied by web/build.mjs\n`);

// Sizes, for the record and the report.
const files = {};
let total = 0;
let totalGzip = 0;
for (const out of [...Object.keys(workers.metafile.outputs), ...Object.keys(main.metafile.outputs)].sort()) {
  const path = join(webDir, out);
  const rel = relative(outDir, path).split('\\').join('/');
  const bytes = statSync(path).size;
  const gzip = gzipSync(readFileSync(path)).length;
  files[rel] = { bytes, gzip };
  total += bytes;
  totalGzip += gzip;
}
writeFileSync(infoFile, JSON.stringify({ sourceHash: sourceHash(webDir), files, total: { bytes: total, gzip: totalGzip } }, null, 2) + '\n');

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
for (const [f, s] of Object.entries(files)) console.log(`${f.padEnd(44)} ${kb(s.bytes).padStart(9)} ${kb(s.gzip).padStart(9)} gzip`);
console.log(`${'total'.padEnd(44)} ${kb(total).padStart(9)} ${kb(totalGzip).padStart(9)} gzip`);
