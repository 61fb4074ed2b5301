package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/server"
)

// The baseline must fetch the same data as the GraphQL operations, or the
// comparison means nothing. On the shipped dataset in Neo4j, each
// operation's Cypher answers what the server answers over the same
// database, for several draws of arguments; then a short run measures both
// phases.
func TestBaselineFetchesTheSameData(t *testing.T) {
	ds, d := shippedData(t)
	st := neo4jtest.Load(t, ds)
	cfg := neo4jtest.Config(t)
	ts := httptest.NewServer(server.New(st, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// No request deadline: on a busy machine the 15 s default fails correct queries.
		Limits: server.Limits{Timeout: -1}}))
	defer ts.Close()
	ctx := context.Background()
	driver, err := neo4jdrv.NewDriverWithContext(cfg.URI, neo4jdrv.BasicAuth(cfg.Username, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)

	r := rand.New(rand.NewPCG(11, 12))
	for name, op := range Operations() {
		t.Run(name, func(t *testing.T) {
			for range 4 {
				args := op.Args(r, d)
				gql := graphQL(t, ts.URL+server.GraphQLPath, op.Query, args)
				res, err := neo4jdrv.ExecuteQuery(ctx, driver, op.Cypher, args, neo4jdrv.EagerResultTransformer,
					neo4jdrv.ExecuteQueryWithDatabase(cfg.Database))
				if err != nil {
					t.Fatalf("args %v: %v", args, err)
				}
				var rows [][]any
				for _, rec := range res.Records {
					rows = append(rows, normalize(rec.Values).([]any))
				}
				got, want := fromCypher(t, name, rows), fromGraphQL(t, name, gql)
				if got != want {
					i := 0
					for i < min(len(got), len(want)) && got[i] == want[i] {
						i++
					}
					from := max(0, i-200)
					t.Errorf("args %v: answers differ at byte %d:\nCypher  …%.400s\nGraphQL …%.400s", args, i, got[from:], want[from:])
				}
			}
		})
	}

	mix, err := ParseMix(DefaultMix + ",dashboard_italy=5")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, Config{
		URL: ts.URL + server.GraphQLPath, Clients: 2, Duration: time.Second, Warmup: 100 * time.Millisecond,
		Mix: mix, Data: d, Seed: 3,
		Neo4j: Neo4jTarget{URI: cfg.URI, Username: cfg.Username, Password: cfg.Password, Database: cfg.Database},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Baseline == nil || rep.Baseline.Total.Requests == 0 || rep.Baseline.Total.Errors > 0 {
		t.Fatalf("baseline phase: %+v", rep.Baseline)
	}
	if c := rep.Baseline.Total.StoreCallsPerRequest(); c != 1 {
		t.Errorf("baseline: %.2f queries per request, want 1", c)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if !bytes.Contains(out.Bytes(), []byte("GraphQL compared with the baseline")) {
		t.Errorf("no comparison in the report:\n%s", out.String())
	}

	// Baseline only (scripts/bench-table.sh measures the floor's processes
	// alone): the URL points nowhere, so any GraphQL request would fail.
	only, err := Run(ctx, Config{
		URL: "http://127.0.0.1:1/graphql", Clients: 2, Duration: 500 * time.Millisecond,
		Mix: mix, Data: d, Seed: 3, BaselineOnly: true,
		Neo4j: Neo4jTarget{URI: cfg.URI, Username: cfg.Username, Password: cfg.Password, Database: cfg.Database},
	})
	if err != nil {
		t.Fatal(err)
	}
	if only.GraphQL != nil || only.Baseline == nil || only.Baseline.Total.Requests == 0 || only.Baseline.Total.Errors > 0 {
		t.Fatalf("baseline only: GraphQL phase %+v, baseline %+v", only.GraphQL, only.Baseline)
	}
	out.Reset()
	only.Print(&out)
	if bytes.Contains(out.Bytes(), []byte("GraphQL")) || !bytes.Contains(out.Bytes(), []byte("Baseline")) {
		t.Errorf("baseline-only report:\n%s", out.String())
	}
}

func graphQL(t *testing.T, url, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("%v %v", err, out.Errors)
	}
	return out.Data
}

// normalize turns driver values into what JSON decoding gives: dates as
// "YYYY-MM-DD", numbers as float64.
func normalize(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case dbtype.Date:
		return time.Time(v).Format(time.DateOnly)
	case int64:
		return float64(v)
	}
	return v
}

// The comparable content of each operation's answer, as a string.
func fromCypher(t *testing.T, op string, rows [][]any) string {
	t.Helper()
	switch op {
	case "lookup":
		r := rows[0]
		return joined(r...)
	case "dashboard", "dashboard_italy":
		var out []any
		for _, r := range rows {
			out = append(out, r[0], r[1])
			for _, p := range r[2].([]any) {
				p := p.(map[string]any)
				out = append(out, p["code"], p["name"])
				for _, s := range p["services"].([]any) {
					s := s.(map[string]any)
					out = append(out, s["id"], s["status"], s["totalCount"])
					if op == "dashboard" {
						out = append(out, s["name"], s["area"].(map[string]any)["code"])
						for _, e := range s["edges"].([]any) {
							e := e.(map[string]any)
							out = append(out, e["since"], e["phase"], e["code"], e["name"], e["population"], e["small"])
						}
					} else {
						out = append(out, s["sector"])
					}
				}
			}
		}
		return joined(out...)
	case "reach":
		var out []any
		for _, r := range rows {
			out = append(out, r...)
		}
		return joined(out...)
	case "gaps":
		r := rows[0]
		out := []any{r[1], r[2], r[0]}
		for _, n := range r[3].([]any) {
			n := n.(map[string]any)
			out = append(out, n["code"], n["name"], n["population"])
		}
		return joined(out...)
	case "page":
		r := rows[0]
		out := []any{r[0], len(r[1].([]any))}
		for _, n := range r[1].([]any) {
			n := n.(map[string]any)
			out = append(out, n["code"], n["name"], n["population"])
		}
		return joined(out...)
	case "path":
		if len(rows) == 0 {
			return "no path"
		}
		ps := rows[0][1].([]any)
		first, last := ps[0].(map[string]any), ps[len(ps)-1].(map[string]any)
		return joined(rows[0][0], first["code"], last["code"], len(ps))
	}
	t.Fatalf("no comparison for %s", op)
	return ""
}

func fromGraphQL(t *testing.T, op string, data map[string]any) string {
	t.Helper()
	m := func(v any) map[string]any { return v.(map[string]any) }
	switch op {
	case "lookup":
		c := m(data["comune"])
		return joined(c["code"], c["name"], c["population"], c["small"], m(c["province"])["code"], m(c["province"])["name"], m(c["region"])["code"], m(c["region"])["name"])
	case "dashboard", "dashboard_italy":
		regions := []any{data["region"]}
		if op == "dashboard_italy" {
			regions = data["regions"].([]any)
		}
		var out []any
		for _, r := range regions {
			r := m(r)
			out = append(out, r["code"], r["name"])
			for _, p := range r["provinces"].([]any) {
				p := m(p)
				out = append(out, p["code"], p["name"])
				for _, s := range p["services"].([]any) {
					s := m(s)
					out = append(out, s["id"], s["status"], m(s["coverage"])["totalCount"])
					if op == "dashboard" {
						out = append(out, s["name"], m(s["area"])["code"])
						for _, e := range m(s["coverage"])["edges"].([]any) {
							e := m(e)
							n := m(e["node"])
							out = append(out, e["since"], e["phase"], n["code"], n["name"], n["population"], n["small"])
						}
					} else {
						out = append(out, m(s["sector"])["code"])
					}
				}
			}
		}
		return joined(out...)
	case "reach":
		var out []any
		for _, row := range data["reach"].([]any) {
			row := m(row)
			g, c := m(row["group"]), m(row["covered"])
			out = append(out, g["code"], g["name"], c["comuni"], c["inhabitants"], c["smallComuni"], m(row["base"])["comuni"], row["services"])
		}
		return joined(out...)
	case "gaps":
		g := m(data["coverageGaps"])
		out := []any{g["totalCount"], m(g["uncovered"])["inhabitants"], m(g["territory"])["comuni"]}
		if g["totalCount"] != m(g["uncovered"])["comuni"] {
			t.Errorf("gaps: totalCount %v, uncovered %v", g["totalCount"], m(g["uncovered"])["comuni"])
		}
		for _, e := range g["edges"].([]any) {
			n := m(m(e)["node"])
			out = append(out, n["code"], n["name"], n["population"])
		}
		return joined(out...)
	case "page":
		c := m(data["comuni"])
		edges := c["edges"].([]any)
		out := []any{c["totalCount"], len(edges)}
		for _, e := range edges {
			n := m(m(e)["node"])
			out = append(out, n["code"], n["name"], n["population"])
		}
		return joined(out...)
	case "path":
		p, ok := data["tutorPath"].(map[string]any)
		if !ok {
			return "no path"
		}
		ps := p["provinces"].([]any)
		return joined(p["length"], m(ps[0])["code"], m(ps[len(ps)-1])["code"], len(ps))
	}
	t.Fatalf("no comparison for %s", op)
	return ""
}

// joined lists values with a separator, so that neighbours can't run
// together.
func joined(vs ...any) string {
	var b bytes.Buffer
	for _, v := range vs {
		fmt.Fprintf(&b, "%v|", v)
	}
	return b.String()
}
