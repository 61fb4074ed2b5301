package graph

// The schema lives at the repository root (schema.graphqls, gqlgen.yml).
// plangen then derives plan_gen.go (the level planner's resolver switch)
// from the generated executor.
//go:generate sh -c "cd .. && go tool gqlgen generate"
//go:generate go run ./internal/plangen
