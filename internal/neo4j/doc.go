// Package neo4j is the Neo4j store of the Province–Comuni network: the
// graph model (MODEL.md), its migrations, the import of a dataset, and an
// implementation of pcnet.Store over it.
//
//	s, err := neo4j.Open(ctx, neo4j.Config{URI: "bolt://127.0.0.1:7687", Username: "neo4j", Password: pw})
//	...
//	defer s.Close(ctx)
//	sum, err := s.Import(ctx, ds, nil) // migrates, then loads ds
//
// Reads run in managed read transactions; every query is parameterized;
// the batch methods (Comuni, Coverages) take one round trip per batch.
// Tests connect to a server through the neo4jtest package.
package neo4j
