package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"pcnet/examples"
	"pcnet/graph"
	"pcnet/graph/model"
	"pcnet/internal/pcnet"
	"pcnet/internal/server"
)

// Subscriptions tested with a real WebSocket client speaking
// graphql-transport-ws (the protocol of the `graphql-ws` library) to the
// real server over the real memory store.

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

const wsTimeout = 10 * time.Second

// dialWS connects and sends connection_init with payload (nil for none).
// It returns the client once the server acknowledged, or the error the
// connection ended with.
func dialWS(t *testing.T, env *writeEnv, header http.Header, payload map[string]any) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsTimeout)
	defer cancel()
	url := "ws" + strings.TrimPrefix(env.ts.URL, "http") + server.GraphQLPath
	conn, res, err := websocket.Dial(ctx, url, //nolint:bodyclose // websocket.Dial: "You never need to close resp.Body yourself"
		&websocket.DialOptions{
			Subprotocols: []string{"graphql-transport-ws"},
			HTTPHeader:   header,
		})
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("status %d: %w", res.StatusCode, err)
		}
		return nil, err
	}
	c := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { _ = conn.CloseNow() }) // the test is over; a failed close changes nothing
	init := wsMessage{Type: "connection_init"}
	if payload != nil {
		init.Payload, _ = json.Marshal(payload)
	}
	c.send(init)
	m, err := c.read()
	if err != nil {
		return nil, err
	}
	if m.Type != "connection_ack" {
		return nil, fmt.Errorf("got %s, want connection_ack", m.Type)
	}
	return c, nil
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), wsTimeout)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message, answering pings on the way.
func (c *wsClient) read() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wsTimeout)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return wsMessage{}, fmt.Errorf("decoding %s: %w", b, err)
		}
		if m.Type == "ping" {
			c.send(wsMessage{Type: "pong"})
			continue
		}
		return m, nil
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: payload})
}

type coverageEvent struct {
	Action, Actor, At string
	Service           struct{ ID, Name string }
	Sector            struct{ Code string }
	Coverages         []struct {
		Comune       struct{ Code string }
		Since, Phase string
		Until        *string
	}
}

func (e coverageEvent) comuni() []string {
	var out []string
	for _, c := range e.Coverages {
		out = append(out, c.Comune.Code)
	}
	return out
}

// nextEvent reads the next message of subscription id, which must be an
// event.
func (c *wsClient) nextEvent(id string) coverageEvent {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("reading subscription %s: %v", id, err)
	}
	if m.Type != "next" || m.ID != id {
		c.t.Fatalf("got %s %s %s, want next for %s", m.Type, m.ID, m.Payload, id)
	}
	var p struct {
		Data   struct{ CoverageChanged coverageEvent }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("payload %s: %v", m.Payload, err)
	}
	return p.Data.CoverageChanged
}

const coverageChangedQ = `subscription($service: ID, $province: String, $sector: String) {
	coverageChanged(serviceId: $service, province: $province, sector: $sector) {
		action actor at service { id name } sector { code } coverages { comune { code } since until phase }
	}
}`

// waitSubscribers waits until the broker has n subscribers: the server
// registers a subscription after reading the subscribe message, and a
// write made before that would not reach it.
func waitSubscribers(t *testing.T, b *graph.CoverageBroker, n int) {
	t.Helper()
	deadline := time.Now().Add(wsTimeout)
	for b.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", b.Subscribers(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestSubscriptionDeliversFilteredChanges(t *testing.T) {
	broker := graph.NewCoverageBroker(0, 0)
	env := newWriteEnv(t, server.Options{Events: broker})
	staff := serviceByID(t, env.ds, "svc-108-staff-training") // personnel, 108
	digital := serviceByID(t, env.ds, "svc-108-digital-transition")
	como := serviceByID(t, env.ds, "svc-013-recruitment")
	free108 := uncoveredComuni(env.ds, staff.ID, "108")
	freeDigital := uncoveredComuni(env.ds, digital.ID, "108")
	free013 := uncoveredComuni(env.ds, como.ID, "013")

	subs := map[string]map[string]any{
		"byService":  {"service": staff.ID},
		"byProvince": {"province": "013"},
		"bySector":   {"sector": "innovation"},
		"all":        {},
	}
	clients := map[string]*wsClient{}
	for name, vars := range subs {
		c, err := dialWS(t, env, nil, nil) // reads are public: no token needed
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe(name, coverageChangedQ, vars)
		clients[name] = c
	}
	waitSubscribers(t, broker, len(subs))

	// Another client, maria, writes over HTTP.
	before := time.Now().UTC().Truncate(time.Millisecond)
	env.as("maria", addCoverageQ, map[string]any{"svc": staff.ID, "codes": free108[:2], "since": "2026-01-01", "phase": "PILOT"}, nil)
	after := time.Now().UTC()
	for _, name := range []string{"byService", "all"} {
		e := clients[name].nextEvent(name)
		if e.Action != "ADDED" || e.Actor != "maria" || e.Service.ID != staff.ID || e.Service.Name != staff.Name ||
			e.Sector.Code != "personnel" || !slices.Equal(e.comuni(), free108[:2]) {
			t.Errorf("%s got %+v", name, e)
		}
		for _, c := range e.Coverages {
			if c.Since != "2026-01-01" || c.Phase != "PILOT" || c.Until != nil {
				t.Errorf("%s: coverage %+v", name, c)
			}
		}
		at, err := time.Parse(time.RFC3339, e.At)
		if err != nil || at.Before(before) || at.After(after) {
			t.Errorf("%s: at %q not between %s and %s", name, e.At, before, after)
		}
	}
	// A change to Como's service reaches the Province filter, which (events
	// being in order) proves the 108 change above did not.
	env.as("maria", addCoverageQ, map[string]any{"svc": como.ID, "codes": free013[:1], "since": "2026-01-01"}, nil)
	if e := clients["byProvince"].nextEvent("byProvince"); e.Service.ID != como.ID || !slices.Equal(e.comuni(), free013[:1]) {
		t.Errorf("byProvince got %+v", e)
	}
	// Likewise for the sector filter.
	env.as("maria", addCoverageQ, map[string]any{"svc": digital.ID, "codes": freeDigital[:1], "since": "2026-01-01"}, nil)
	if e := clients["bySector"].nextEvent("bySector"); e.Service.ID != digital.ID || e.Sector.Code != "innovation" {
		t.Errorf("bySector got %+v", e)
	}
	// And the service filter skipped the last two: its next event is this.
	env.as("root", endCoverageQ, map[string]any{"svc": staff.ID, "codes": free108[:1], "until": "2026-06-01"}, nil)
	e := clients["byService"].nextEvent("byService")
	if e.Action != "ENDED" || e.Actor != "root" || !slices.Equal(e.comuni(), free108[:1]) || e.Coverages[0].Until == nil || *e.Coverages[0].Until != "2026-06-01" {
		t.Errorf("byService got %+v", e)
	}
	// The unfiltered subscriber saw all four, in order.
	var got []string
	for range 3 {
		e := clients["all"].nextEvent("all")
		got = append(got, e.Service.ID+" "+e.Action)
	}
	want := []string{como.ID + " ADDED", digital.ID + " ADDED", staff.ID + " ENDED"}
	if !slices.Equal(got, want) {
		t.Errorf("all got %v, want %v", got, want)
	}
	// A write that changes nothing announces nothing; the next real one
	// comes through.
	env.as("maria", addCoverageQ, map[string]any{"svc": staff.ID, "codes": free108[1:2], "since": "2026-01-01"}, nil)
	env.as("maria", addCoverageQ, map[string]any{"svc": staff.ID, "codes": free108[2:3], "since": "2026-01-01"}, nil)
	if e := clients["byService"].nextEvent("byService"); !slices.Equal(e.comuni(), free108[2:3]) {
		t.Errorf("after a no-op write, byService got %+v", e)
	}

	// Completing a subscription unsubscribes it.
	clients["all"].send(wsMessage{ID: "all", Type: "complete"})
	waitSubscribers(t, broker, len(subs)-1)
}

func TestSubscriptionAuthentication(t *testing.T) {
	broker := graph.NewCoverageBroker(0, 0)
	env := newWriteEnv(t, server.Options{Events: broker, ReadsNeedToken: true})

	refused := []struct {
		name    string
		payload map[string]any
	}{
		{"no token", nil},
		{"unknown token", map[string]any{"Authorization": "Bearer " + mustToken(t)}},
		{"malformed", map[string]any{"Authorization": env.tokens["luca"]}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dialWS(t, env, nil, tt.payload)
			if got := websocket.CloseStatus(err); got != 4403 {
				t.Errorf("connection ended with %v (status %d), want close 4403", err, got)
			}
		})
	}
	// A plain HTTP request without a token is refused before any upgrade.
	if resp, status := env.do("", `{ regions { code } }`, nil); status != http.StatusUnauthorized || len(resp.Errors) != 1 {
		t.Errorf("anonymous HTTP read: status %d, %+v", status, resp)
	}

	// A reader's token in connection_init, or in the upgrade's header, works.
	inPayload, err := dialWS(t, env, nil, map[string]any{"Authorization": env.bearer("luca")})
	if err != nil {
		t.Fatal(err)
	}
	inHeader, err := dialWS(t, env, http.Header{"Authorization": {env.bearer("luca")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inPayload.subscribe("1", coverageChangedQ, map[string]any{"province": "108"})
	inHeader.subscribe("2", coverageChangedQ, map[string]any{"province": "108"})
	waitSubscribers(t, broker, 2)
	free := uncoveredComuni(env.ds, "svc-108-staff-training", "108")
	env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-staff-training", "codes": free[:1], "since": "2026-01-01"}, nil)
	for id, c := range map[string]*wsClient{"1": inPayload, "2": inHeader} {
		if e := c.nextEvent(id); e.Actor != "maria" || !slices.Equal(e.comuni(), free[:1]) {
			t.Errorf("subscription %s got %+v", id, e)
		}
	}
}

func TestSubscriptionRejectsBadArguments(t *testing.T) {
	env := newWriteEnv(t, server.Options{})
	c, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, vars := range map[string]map[string]any{
		"province": {"province": "1"},
		"sector":   {"sector": "sport"},
	} {
		c.subscribe(id, coverageChangedQ, vars)
		m, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Errors []gqlError }
		_ = json.Unmarshal(m.Payload, &p)
		if m.ID != id || len(p.Errors) != 1 || p.Errors[0].Extensions["code"] != pcnet.EINVALID || p.Errors[0].Extensions["field"] != id {
			t.Errorf("subscribe with %v: got %s %s", vars, m.Type, m.Payload)
		}
		if m, err := c.read(); err != nil || m.Type != "complete" || m.ID != id {
			t.Errorf("after the error: %+v, %v; want complete", m, err)
		}
	}
}

// A subscriber that can't keep up is dropped with an error, not left
// behind silently and never slowing the writers.
func TestSubscriptionDropsSlowSubscriber(t *testing.T) {
	broker := graph.NewCoverageBroker(1, 0)
	env := newWriteEnv(t, server.Options{Events: broker})
	c, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", `subscription { coverageChanged { action actor } }`, nil)
	waitSubscribers(t, broker, 1)
	// Publish a burst straight into the broker, far faster than events can
	// be written to the socket.
	svc := serviceByID(t, env.ds, "svc-108-staff-training")
	dropped := 0
	for i := range 1000 {
		_, d := broker.Publish(model.CoverageEvent{Action: model.CoverageAdded, Service: svc, SectorCode: "personnel", Actor: fmt.Sprint(i)})
		dropped += d
	}
	if dropped != 1 {
		t.Fatalf("the burst dropped %d subscribers, want 1", dropped)
	}
	nexts := 0
	for {
		m, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == "next" {
			nexts++
			continue
		}
		var errs []gqlError
		_ = json.Unmarshal(m.Payload, &errs)
		if m.Type != "error" || len(errs) != 1 || errs[0].Extensions["code"] != pcnet.EUNAVAILABLE {
			t.Fatalf("got %s %s, want an error with code unavailable", m.Type, m.Payload)
		}
		break
	}
	if nexts >= 1000 {
		t.Errorf("got all %d events, yet the subscriber was dropped", nexts)
	}
	if n := broker.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}

func TestSubscriptionOrigins(t *testing.T) {
	env := newWriteEnv(t, server.Options{CORSOrigins: []string{"https://dashboard.example"}})
	if _, err := dialWS(t, env, http.Header{"Origin": {"https://evil.example"}}, nil); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("a foreign origin: %v, want status 403", err)
	}
	if _, err := dialWS(t, env, http.Header{"Origin": {"https://dashboard.example"}}, nil); err != nil {
		t.Errorf("an allowed origin: %v", err)
	}
	if _, err := dialWS(t, env, nil, nil); err != nil {
		t.Errorf("no origin (not a browser): %v", err)
	}
}

// The example subscription receives what the example writes do.
func TestSubscriptionExample(t *testing.T) {
	broker := graph.NewCoverageBroker(0, 0)
	env := newWriteEnv(t, server.Options{Events: broker})
	var sub, create, add examples.Operation
	for _, op := range examples.Writes() {
		switch op.OperationName {
		case "CoverageChanged":
			sub = op
		case "CreateService":
			create = op
		case "AddCoverage":
			add = op
		}
	}
	if sub.Query == "" || create.Query == "" || add.Query == "" {
		t.Fatal("example writes missing")
	}
	c, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", sub.Query, nil)
	waitSubscribers(t, broker, 1)
	env.as("maria", create.Query, nil, nil)
	env.as("maria", add.Query, nil, nil)
	e := c.nextEvent("1")
	if e.Service.ID != "svc-108-sua" || e.Action != "ADDED" || !slices.Equal(e.comuni(), []string{"108001", "108002", "108003"}) {
		t.Errorf("event %+v", e)
	}
}

// Subscriptions are served over WebSocket only: over plain HTTP one would
// hold the request open for a single event.
func TestSubscriptionOverHTTPRefused(t *testing.T) {
	env := newWriteEnv(t, server.Options{})
	start := time.Now()
	resp, _ := env.do("", `subscription { coverageChanged { action } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != pcnet.EINVALID || !strings.Contains(resp.Errors[0].Message, "WebSocket") {
		t.Errorf("errors = %+v", resp.Errors)
	}
	if d := time.Since(start); d > liveness { // a liveness bound: a held-open request never ends
		t.Errorf("the refusal took %v", d)
	}
}

// Each event reads the network as it is when the event is sent, not as the
// connection first saw it.
func TestSubscriptionEventsReadFreshData(t *testing.T) {
	broker := graph.NewCoverageBroker(0, 0)
	env := newWriteEnv(t, server.Options{Events: broker})
	env.as("maria", createServiceQ, map[string]any{"id": "svc-108-fresh", "provider": "108", "area": "sua", "start": "2022-06-01"}, nil)
	c, err := dialWS(t, env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("1", `subscription { coverageChanged(serviceId: "svc-108-fresh") { service { status coverage(first: 0) { totalCount } } } }`, nil)
	waitSubscribers(t, broker, 1)
	free := uncoveredComuni(env.ds, "svc-108-fresh", "108")
	for i, status := range []string{"PILOT", "ACTIVE"} {
		env.as("maria", updateServiceQ, map[string]any{"id": "svc-108-fresh", "status": status}, nil)
		env.as("maria", addCoverageQ, map[string]any{"svc": "svc-108-fresh", "codes": free[i : i+1], "since": "2026-01-01"}, nil)
		m, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Data struct {
				CoverageChanged struct {
					Service struct {
						Status   string
						Coverage struct{ TotalCount int }
					}
				}
			}
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if s := p.Data.CoverageChanged.Service; s.Status != status || s.Coverage.TotalCount != i+1 {
			t.Errorf("event %d: service %+v, want status %s and %d coverages", i, s, status, i+1)
		}
	}
}
