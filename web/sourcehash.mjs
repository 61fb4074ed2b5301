// The fingerprint of everything the built assets are made from: the build
// script, the package manifests (so a dependency bump counts) and every file
// under src/. The build records it in internal/web/dist/build-info.json, and
// a Go test (internal/web) recomputes it the same way, so a commit that
// changes the sources without rebuilding fails the tests.
//
// The recipe, mirrored in internal/web/sourcehash_test.go: SHA-256 over the
// files in byte order of their slash-separated paths relative to web/, each
// contributing "<path>\0<size in bytes>\0<content>".

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// Inputs outside src/ that shape the build.
export const rootInputs = ['build.mjs', 'package.json', 'package-lock.json', 'sourcehash.mjs'];

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// inputFiles lists the inputs as slash-separated paths relative to webDir,
// sorted byte-wise (all paths are ASCII, so string order is byte order).
export function inputFiles(webDir) {
  const files = walk(join(webDir, 'src')).map((p) => relative(webDir, p).split(sep).join('/'));
  return [...rootInputs, ...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sourceHash(webDir) {
  const h = createHash('sha256');
  for (const path of inputFiles(webDir)) {
    const content = readFileSync(join(webDir, path));
    h.update(`${path}\0${content.length}\0`);
    h.update(content);
  }
  return h.digest('hex');
}
