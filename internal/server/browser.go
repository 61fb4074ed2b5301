package server

import (
	"net/http"
	"strings"

	"pcnet/examples"
	"pcnet/internal/web"
)

// graphiQLExamples are the operations GraphiQL lists: the reads, then the
// planner's writes and the subscription of examples/mutations, named
// "mutations/…" so they can't clash with a read's name.
func graphiQLExamples() []examples.Operation {
	ops := examples.All()
	for _, op := range examples.Writes() {
		op.Name = "mutations/" + op.Name
		ops = append(ops, op)
	}
	return ops
}

// browsersToGraphiQL sends a person who opens /graphql in a browser (a GET
// with no query that asks for HTML first) to GraphiQL, instead of showing
// them the 400 JSON a GraphQL client gets for a GET without a query.
// WebSocket upgrades and GETs carrying a query go on to the API untouched.
func browsersToGraphiQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !r.URL.Query().Has("query") && r.Header.Get("Upgrade") == "" && prefersHTML(r.Header.Get("Accept")) {
			http.Redirect(w, r, web.GraphiQLPath, http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// prefersHTML reports whether an Accept header names text/html before any
// JSON type, as browsers' navigation requests do ("text/html,…,*/*;q=0.8").
// Hand-written: a browser's navigation is told apart by its first type,
// which needs no full content negotiation (the standard library has none).
func prefersHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mediaType, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mediaType)) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json", "application/graphql-response+json":
			return false
		}
	}
	return false
}
