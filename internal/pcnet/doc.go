// Package pcnet is the domain of the Province–Comuni network: the geography
// (regions, Provinces, Comuni), the sector taxonomy, the shared services that
// Provinces run for their Comuni, their coverage, tutorships between Provinces
// and project works.
//
// The package has no dependencies outside the standard library. Store
// implementations (the embedded store in internal/memory, Neo4j in
// internal/neo4j) implement [Store]; the GraphQL layer in graph/ depends only
// on this package. Names are in English, data stays in Italian: docs/domain.md
// explains the domain and has the glossary (Italian word → name in code).
package pcnet
