package main

import (
	"flag"
	"os"
	"regexp"
	"testing"
)

// docs/operations.md has the one configuration table: every flag of
// pcnet serve is a row with the environment variable that sets it, so the
// README and the operations guide can't disagree again.
func TestConfigurationTableListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg serveConfig
	cfg.register(fs)
	registerDebug(fs)
	neo4jEnv := map[string]string{"neo4j-uri": "NEO4J_URI", "neo4j-username": "NEO4J_USERNAME",
		"neo4j-password": "NEO4J_PASSWORD", "neo4j-database": "NEO4J_DATABASE"}
	envs := []map[string]string{serveEnv, opsEnv, accessEnv, debugEnv, neo4jEnv}
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		env := ""
		for _, m := range envs {
			if v, ok := m[f.Name]; ok {
				env = v
			}
		}
		if env == "" {
			t.Errorf("--%s has no environment variable", f.Name)
			return
		}
		row := regexp.MustCompile("(?m)^\\| `--" + regexp.QuoteMeta(f.Name) + "` \\| `" + regexp.QuoteMeta(env) + "` \\|")
		if !row.Match(doc) {
			t.Errorf("docs/operations.md's configuration table has no row | `--%s` | `%s` |", f.Name, env)
		}
	})
	if n < 20 {
		t.Errorf("only %d flags registered: the test builds the FlagSet wrong", n)
	}
}
