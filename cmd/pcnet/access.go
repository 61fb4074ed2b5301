package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"pcnet/internal/auth"
	"pcnet/internal/server"
)

// accessConfig is who may do what on `pcnet serve`: the bearer tokens it
// accepts and whether reads need one. Mutations always need a planner or
// admin token.
type accessConfig struct {
	tokensFile  string
	publicReads bool
	// getenv reads PCNET_TOKENS; tests replace it.
	getenv func(string) string
	keys   *auth.Keyring // set by load
}

// tokensEnv holds the tokens inline, as the JSON of a tokens file: handy
// where secrets come as environment variables.
const tokensEnv = "PCNET_TOKENS"

// accessEnv maps the flags of accessConfig to their environment variables.
var accessEnv = map[string]string{
	"tokens-file":  "PCNET_TOKENS_FILE",
	"public-reads": "PCNET_PUBLIC_READS",
}

func registerAccess(fs *flag.FlagSet, getenv func(string) string) *accessConfig {
	c := &accessConfig{getenv: getenv}
	fs.StringVar(&c.tokensFile, "tokens-file", "",
		"JSON `file` of the accepted bearer tokens, [{\"name\", \"role\", \"sha256\"}], as made by `pcnet token new`\n"+
			"(env PCNET_TOKENS_FILE; or the same JSON inline in PCNET_TOKENS). Without tokens nobody can write")
	fs.BoolVar(&c.publicReads, "public-reads", true,
		"serve queries and subscriptions to anyone; false requires a token of any role (reader, planner, admin).\n"+
			"Mutations always need a planner or admin token (env PCNET_PUBLIC_READS)")
	return c
}

// load reads the tokens from the file or PCNET_TOKENS (not both: which
// would win is not obvious) and logs how many there are, never the tokens.
func (c *accessConfig) load(log *slog.Logger) error {
	inline := c.getenv(tokensEnv)
	var err error
	switch {
	case c.tokensFile != "" && inline != "":
		return errors.New("--tokens-file (PCNET_TOKENS_FILE) and PCNET_TOKENS are both set: use one")
	case c.tokensFile != "":
		c.keys, err = auth.LoadKeyring(c.tokensFile)
	case inline != "":
		c.keys, err = auth.ParseKeyring([]byte(inline))
		if err != nil {
			err = fmt.Errorf("%s: %w", tokensEnv, err)
		}
	}
	if err != nil {
		return err
	}
	if c.keys.Len() == 0 && !c.publicReads {
		return errors.New("--public-reads=false needs tokens (--tokens-file or PCNET_TOKENS): nobody could read")
	}
	if c.keys.Len() == 0 {
		log.Warn("no tokens configured: every mutation is refused", "public_reads", c.publicReads)
	} else {
		log.Info("tokens", "count", c.keys.Len(), "public_reads", c.publicReads)
	}
	return nil
}

// reloadOn reloads the tokens file on each signal from hup until ctx
// ends. The new set replaces the old one at once (auth.Keyring.Replace);
// a file that doesn't load is logged and changes nothing.
func (c *accessConfig) reloadOn(ctx context.Context, hup <-chan os.Signal, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if c.tokensFile == "" || c.keys == nil {
			log.Warn("SIGHUP: no tokens file to reload (--tokens-file); PCNET_TOKENS is read at start only")
			continue
		}
		keys, err := auth.LoadKeyring(c.tokensFile)
		if err == nil && keys.Len() == 0 && !c.publicReads {
			err = errors.New("no tokens, and --public-reads=false: nobody could read")
		}
		if err != nil {
			log.Error("tokens file not reloaded: the tokens in force stay", "file", c.tokensFile, "err", err)
			continue
		}
		c.keys.Replace(keys)
		log.Info("tokens file reloaded", "tokens", keys.Len(), "file", c.tokensFile)
	}
}

// options sets the access fields of o.
func (c *accessConfig) options(o server.Options) server.Options {
	o.Tokens = c.keys
	o.ReadsNeedToken = !c.publicReads
	return o
}
