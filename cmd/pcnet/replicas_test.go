package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"pcnet/internal/auth"
	"pcnet/internal/dataset"
	"pcnet/internal/neo4j/neo4jtest"
	"pcnet/internal/pcnet"
)

// Two pcnet serve replicas on one real Neo4j: a write through A reaches a
// subscriber on B (B polls the audit trail; nothing tells it directly), in
// order, without the write before the subscription's afterSeq, and is
// readable on B at once. The waits are failure guards only (liveness).
func TestLiveUpdatesAcrossReplicas(t *testing.T) {
	cfg := neo4jtest.Config(t)
	ds, _, err := dataset.Dataset()
	if err != nil {
		t.Fatal(err)
	}
	neo4jtest.Load(t, ds)
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	token, entry, err := auth.NewEntry("maria", pcnet.RolePlanner)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]auth.Entry{entry})
	if err := os.WriteFile(tokens, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--store", "neo4j", "--neo4j-uri", cfg.URI, "--neo4j-username", cfg.Username,
		"--neo4j-password", cfg.Password, "--tokens-file", tokens, "--events-poll-interval", "100ms"}
	if cfg.Database != "" {
		args = append(args, "--neo4j-database", cfg.Database)
	}
	a, _ := startServe(t, args...)
	b, _ := startServe(t, args...)

	write := func(query string) {
		t.Helper()
		if _, codes := gql(t, a, token, query); len(codes) != 0 {
			t.Fatalf("%s through A: codes %v", query, codes)
		}
	}
	add := func(code string) {
		write(`mutation { addCoverage(serviceId: "svc-108-replicas", comuneCodes: ["` + code + `"], since: "2026-02-01") { changed { since } } }`)
	}
	write(`mutation { createService(id: "svc-108-replicas", name: "Repliche", providerCode: "108", areaCode: "sua", startDate: "2026-01-01") { service { id } } }`)
	add("108001")

	// The last seq of the trail, read on B: the subscription resumes after it.
	data, codes := gql(t, b, token, `{ changes(afterSeq: 0, first: 1000) { seq } }`)
	var trail []struct{ Seq int64 }
	if err := json.Unmarshal(data["changes"], &trail); len(codes) != 0 || err != nil || len(trail) == 0 {
		t.Fatalf("changes on B: %s %v %v", data["changes"], codes, err)
	}
	last := trail[len(trail)-1].Seq

	ctx, cancel := context.WithTimeout(t.Context(), liveness)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(b, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(m map[string]any) {
		t.Helper()
		if err := wsjson.Write(ctx, conn, m); err != nil {
			t.Fatal(err)
		}
	}
	type event struct {
		Seq       int64
		Action    string
		Coverages []struct{ Comune struct{ Code string } }
	}
	next := func() event {
		t.Helper()
		for {
			var m struct {
				Type    string
				Payload json.RawMessage
			}
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				t.Fatalf("reading from B: %v", err)
			}
			switch m.Type {
			case "ping":
				send(map[string]any{"type": "pong"})
			case "next":
				var p struct {
					Data   struct{ CoverageChanged event }
					Errors []any
				}
				if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
					t.Fatalf("next: %s %v", m.Payload, err)
				}
				return p.Data.CoverageChanged
			case "connection_ack", "pong":
			default:
				t.Fatalf("unexpected message %s %s", m.Type, m.Payload)
			}
		}
	}
	send(map[string]any{"type": "connection_init"})
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($after: Int) { coverageChanged(serviceId: "svc-108-replicas", afterSeq: $after) { seq action coverages { comune { code } } } }`,
		"variables": map[string]any{"after": last},
	}})

	// Written before or after the subscription started: delivered either
	// way (replayed from the trail or polled), and 108001 is not.
	add("108002")
	e := next()
	if e.Action != "ADDED" || len(e.Coverages) != 1 || e.Coverages[0].Comune.Code != "108002" || e.Seq <= last {
		t.Fatalf("first event on B: %+v, want 108002 ADDED after seq %d", e, last)
	}
	data, codes = gql(t, b, "", `{ service(id: "svc-108-replicas") { coverage { totalCount } } }`)
	if len(codes) != 0 || !strings.Contains(string(data["service"]), `"totalCount":2`) {
		t.Errorf("B reads the service as %s %v, want 2 coverages", data["service"], codes)
	}

	// The subscription is live now (it forwarded an event): this write can
	// only reach B through B's poller, in order.
	write(`mutation { endCoverage(serviceId: "svc-108-replicas", comuneCodes: ["108001", "108002"], until: "2026-03-01") { changed { until } } }`)
	add("108003")
	want := []struct {
		action string
		codes  string
	}{{"ENDED", "108001,108002"}, {"ADDED", "108003"}}
	prev := e.Seq
	for _, w := range want {
		e := next()
		var got []string
		for _, c := range e.Coverages {
			got = append(got, c.Comune.Code)
		}
		if e.Action != w.action || strings.Join(got, ",") != w.codes || e.Seq <= prev {
			t.Errorf("event %+v, want %s %s after seq %d", e, w.action, w.codes, prev)
		}
		prev = e.Seq
	}
}
