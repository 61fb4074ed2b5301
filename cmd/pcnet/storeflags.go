package main

import (
	"cmp"
	"flag"
	"os"

	"pcnet/internal/app"
	"pcnet/internal/memory"
)

// storeConfig holds the store flags of serve; config turns them into the
// settings internal/app opens the store with. A new backend adds its flags
// here (registered in register, with env fallbacks in serveEnv).
type storeConfig struct {
	kind  string
	neo4j *neo4jFlags
	// dataDir is where the embedded store keeps its writes; "" means
	// memory.DefaultDataDir(). ephemeral keeps them in memory only.
	dataDir   string
	ephemeral bool
}

// register adds the store flags to fs. Add the environment variable of a
// new flag to serveEnv.
func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.kind, "store", app.StoreAuto,
		"store to read from: `kind` auto, memory or neo4j (env PCNET_STORE); auto picks Neo4j when a Neo4j URI is set, else the embedded store")
	c.neo4j = registerNeo4jFlags(fs, os.Getenv)
	fs.StringVar(&c.dataDir, "data-dir", "",
		"`directory` where the embedded store keeps the network and its writes, durably (env PCNET_DATA_DIR);\n"+
			"default "+cmp.Or(memory.DefaultDataDir(), "$XDG_DATA_HOME/pcnet or ~/.local/share/pcnet")+". Seeded from the shipped network on first start")
	fs.BoolVar(&c.ephemeral, "ephemeral", false,
		"run the embedded store from the shipped network in memory only: writes are lost on exit (env PCNET_EPHEMERAL)")
}

// config returns the settings of the store to open. Call it after fs.Parse.
func (c *storeConfig) config() app.StoreConfig {
	out := app.StoreConfig{Kind: c.kind, DataDir: c.dataDir, Ephemeral: c.ephemeral}
	if c.neo4j != nil {
		out.Neo4j = c.neo4j.config()
	}
	return out
}
