// Package difftest holds the differential test: every example operation in
// examples/ (and the edge cases in testdata/) is run over HTTP against a
// server on the embedded store and a server on Neo4j, both loaded with the
// shipped dataset, and the JSON answers must be byte-for-byte identical.
//
// It needs a Neo4j server: `make test` starts one.
package difftest
