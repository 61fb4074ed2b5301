package main

import (
	"flag"
	"fmt"

	"pcnet/internal/neo4j"
)

// neo4jFlags are the Neo4j connection settings of a command. Each comes
// from its flag when given, else from its environment variable, else from
// a default: flags win over the environment.
type neo4jFlags struct {
	uri, username, password, database string
	getenv                            func(string) string
}

// registerNeo4jFlags adds the Neo4j connection flags to fs. Call config
// after fs.Parse. getenv is os.Getenv outside tests.
func registerNeo4jFlags(fs *flag.FlagSet, getenv func(string) string) *neo4jFlags {
	f := &neo4jFlags{getenv: getenv}
	fs.StringVar(&f.uri, "neo4j-uri", "", "Neo4j server, e.g. bolt://127.0.0.1:7687 or neo4j+s://host (env NEO4J_URI)")
	fs.StringVar(&f.username, "neo4j-username", "", "Neo4j user (env NEO4J_USERNAME, default neo4j)")
	// No default shown, and the environment is the better place for it:
	// a flag's value is visible to every user of the machine (ps).
	fs.StringVar(&f.password, "neo4j-password", "", "Neo4j password (env NEO4J_PASSWORD; prefer the environment variable)")
	fs.StringVar(&f.database, "neo4j-database", "", "Neo4j database (env NEO4J_DATABASE, default: the server's default database)")
	return f
}

// config returns the settings: flag, else environment, else default.
func (f *neo4jFlags) config() neo4j.Config {
	pick := func(flagValue, env, def string) string {
		if flagValue != "" {
			return flagValue
		}
		if v := f.getenv(env); v != "" {
			return v
		}
		return def
	}
	return neo4j.Config{
		URI:      pick(f.uri, "NEO4J_URI", ""),
		Username: pick(f.username, "NEO4J_USERNAME", "neo4j"),
		Password: pick(f.password, "NEO4J_PASSWORD", ""),
		Database: pick(f.database, "NEO4J_DATABASE", ""),
	}
}

// required returns the Neo4j settings of a command that can't run without
// a server (import, migrate), or an error naming the command.
func (f *neo4jFlags) required(command string) (neo4j.Config, error) {
	cfg := f.config()
	if cfg.URI == "" {
		return cfg, fmt.Errorf("%s: no Neo4j server given: set NEO4J_URI (or -neo4j-uri), e.g. bolt://127.0.0.1:7687", command)
	}
	return cfg, nil
}
