package graph

// The schema lives at the repository root (schema.graphqls, gqlgen.yml).
//go:generate sh -c "cd .. && go tool gqlgen generate"
