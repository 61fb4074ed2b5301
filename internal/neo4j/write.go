package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"pcnet/internal/pcnet"
)

// Planners' writes (pcnet.Writer). Each method is one managed write
// transaction (retried by the driver on transient errors such as a
// deadlock or a leader switch) of two queries:
//
//  1. The first locks the audit counter, the (:AuditCounter {name:
//     "changes"}) node, by setting a property on it, and then reads the
//     facts the plan needs, in one row. Every write takes this one lock
//     first, so writes are serialized in the order of their audit Seq,
//     can't deadlock with each other, and each reads what the writes
//     before it committed.
//  2. The pcnet Plan* function decides, in Go, so the rules and errors are
//     those of every store.
//  3. The second query writes the plan's items (an UNWIND batch), records
//     the audit entries as (:Change) nodes, advances the counter and
//     removes the lock property; Go checks that it wrote as many items as
//     planned.
//
// A plan with no changes, and a plan that fails, roll the transaction back:
// nothing is written, not even the lock.
//
// A write with an idempotency key (pcnet.Idempotency) reads the key's
// (:IdempotencyKey) node in the first query, under the lock: a kept key
// ends the transaction (rolled back) and its result is returned. Otherwise
// a third query creates the key's node, with the result, in the write's
// transaction, also for a plan with no changes (then it just releases the
// lock); the idempotency_key_id constraint keeps one node per key. The transaction function starts
// from scratch on every attempt (facts, plan, time), so a retry plans
// against the state it finds.

var _ pcnet.Writer = (*Store)(nil)

// auditCounter is the name of the audit counter node.
const auditCounter = "changes"

// errNoChange ends the transaction of a write whose plan changes nothing:
// the driver rolls it back and doesn't retry it.
var errNoChange = errors.New("neo4j: nothing to write")

// errReplay ends the transaction of a write whose idempotency key is kept:
// the driver rolls it back, and write returns the kept result.
var errReplay = errors.New("neo4j: idempotency key already used")

// writeTx is one attempt of a write transaction.
type writeTx struct {
	ctx     context.Context
	store   *Store
	tx      neo4jdrv.ManagedTransaction
	locked  bool
	counter counterState
	idem    *pcnet.Idempotency       // the write's key, nil without one
	kept    *pcnet.IdempotencyRecord // the key's record, read with the lock
}

// counterState is the audit counter as locked: the last Seq and At.
type counterState struct {
	seq int64
	at  time.Time
}

// query runs one query in the transaction and returns its records.
func (w *writeTx) query(cypher string, params map[string]any) ([]*neo4jdrv.Record, error) {
	w.store.queries.Add(1)
	res, err := w.tx.Run(w.ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(w.ctx)
}

// lockAndRead locks the audit counter and reads the facts: columns is the
// list of expressions to return, each a single value (EXISTS, COLLECT
// subqueries), so the query returns one row whatever the facts are. It
// returns their values.
//
// The counter is created by the first write ever; the uniqueness
// constraint on its name makes concurrent first writes wait for each
// other rather than create two. Setting a property is what takes a node's
// write lock in Cypher, and the clauses after the SET run once it is
// held, so they read the state the writes it waited for committed.
func (w *writeTx) lockAndRead(columns string, params map[string]any) ([]any, error) {
	if w.locked {
		return nil, errors.New("neo4j: a write locked the audit counter twice")
	}
	params["auditCounter"] = auditCounter
	params["auditIdempotency"] = nil
	if w.idem != nil {
		params["auditIdempotency"] = w.idem.ID()
	}
	recs, err := w.query(`
		MERGE (k:AuditCounter {name: $auditCounter})
		SET k._LOCK_ = true
		WITH k
		RETURN coalesce(k.seq, 0), k.at,
		       COLLECT { MATCH (i:IdempotencyKey {id: $auditIdempotency})
		                 RETURN [i.operation, i.fingerprint, i.result, i.at] }, `+columns, params)
	if err != nil {
		return nil, err
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("neo4j: the facts of a write came in %d rows", len(recs))
	}
	var rd reader
	v := recs[0].Values
	w.counter = counterState{seq: int64(rd.int(v[0])), at: rd.instant(v[1])}
	w.locked = true
	if kept := rd.list(v[2]); len(kept) > 0 && w.idem != nil {
		r := rd.list(kept[0])
		if len(r) != 4 {
			return nil, fmt.Errorf("neo4j: idempotency key row of %d fields", len(r))
		}
		w.kept = &pcnet.IdempotencyRecord{
			Idempotency: pcnet.Idempotency{Scope: w.idem.Scope, Key: w.idem.Key, Operation: rd.str(r[0]), Fingerprint: rd.str(r[1])},
			Result:      []byte(rd.str(r[2])), At: rd.instant(r[3]),
		}
		if rd.err == nil {
			return nil, errReplay // every plan returns lockAndRead's error as it is
		}
	}
	return v[3:], rd.err
}

// itemWrite is a query that writes a plan's items and returns their
// number as "written", which must be want. Its parameters must not start
// with "audit".
type itemWrite struct {
	what   string // for errors, e.g. "coverages"
	cypher string
	params map[string]any
	want   int
}

// writePlan is what a write does once planned: its items and its audit
// entries. No entries: nothing to write.
type writePlan struct {
	items   itemWrite
	changes []pcnet.Change
}

// write runs a write: plan reads the facts with lockAndRead, calls the
// pcnet plan, sets *out to the write's result and returns what to write.
// op names the write in internal errors. With an idempotency key (idem not
// nil) a kept key's result is decoded into *out instead (the rules of
// pcnet.Idempotency). A *pcnet.Error from the plan is returned as it is;
// driver errors are wrapped (and stay internal: they carry no code).
func (s *Store) write(ctx context.Context, op string, idem *pcnet.Idempotency, out any, plan func(w *writeTx) (writePlan, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sess := s.session(ctx, neo4jdrv.AccessModeWrite)
	defer sess.Close(ctx)
	var kept *pcnet.IdempotencyRecord
	_, err := neo4jdrv.ExecuteWrite(ctx, sess, func(tx neo4jdrv.ManagedTransaction) (struct{}, error) {
		// Errors are returned unwrapped: the driver decides on retries by
		// their type.
		w := &writeTx{ctx: ctx, store: s, tx: tx, idem: idem}
		p, err := plan(w)
		kept = w.kept
		switch {
		case err != nil:
			return struct{}{}, err
		case !w.locked:
			return struct{}{}, fmt.Errorf("neo4j: %s: planned without the lock", op)
		case len(p.changes) == 0 && idem == nil:
			return struct{}{}, errNoChange
		}
		// At never goes back, even when the clock of another server
		// writing to the database runs behind this one's.
		at := time.Now()
		if w.counter.at.After(at) {
			at = w.counter.at
		}
		if len(p.changes) > 0 {
			last := pcnet.StampChanges(ctx, p.changes, w.counter.seq, at)
			if err := w.apply(op, p, last); err != nil {
				return struct{}{}, err
			}
		}
		if idem != nil {
			return struct{}{}, w.keep(op, out, p.changes, at)
		}
		return struct{}{}, nil
	})
	if err == nil && s.afterCommit != nil {
		if lost := s.afterCommit(op); lost != nil {
			return lost // tests only: the commit's answer is lost
		}
	}
	var pe *pcnet.Error
	switch {
	case errors.Is(err, errReplay) && kept != nil:
		return idem.Replay(*kept, out)
	case err == nil, errors.Is(err, errNoChange):
		return nil
	case errors.As(err, &pe):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("neo4j: %s: %w", op, err)
}

// keep records the write's idempotency key with its result and audit
// entries, and releases the lock (again, when apply did).
func (w *writeTx) keep(op string, result any, changes []pcnet.Change, at time.Time) error {
	r, err := w.idem.Record(result, changes, at)
	if err != nil {
		return err
	}
	recs, err := w.query(`
		MATCH (k:AuditCounter {name: $auditCounter})
		REMOVE k._LOCK_
		CREATE (i:IdempotencyKey)
		SET i = $props
		RETURN count(i)`, map[string]any{"auditCounter": auditCounter, "props": map[string]any{
		"id": r.ID(), "scope": r.Scope, "key": r.Key, "operation": r.Operation, "fingerprint": r.Fingerprint,
		"result": string(r.Result), "at": r.At, "firstSeq": r.FirstSeq, "lastSeq": r.LastSeq,
	}})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("neo4j: %s: keeping the idempotency key returned %d rows", op, len(recs))
	}
	return nil
}

// apply writes a plan's items and audit entries (stamped, last the Seq of
// the last) and advances the counter, in one query.
func (w *writeTx) apply(op string, p writePlan, last int64) error {
	changes := make([]any, len(p.changes))
	for i, c := range p.changes {
		changes[i] = map[string]any{
			"seq": c.Seq, "at": c.At, "actor": c.Actor,
			"entity": c.Entity, "entityId": c.EntityID, "action": c.Action, "summary": c.Summary,
		}
	}
	params := make(map[string]any, len(p.items.params)+4)
	for k, v := range p.items.params {
		params[k] = v
	}
	params["auditCounter"] = auditCounter
	params["auditSeq"] = last
	params["auditAt"] = p.changes[len(p.changes)-1].At
	params["auditChanges"] = changes
	recs, err := w.query(`
		CALL () {`+p.items.cypher+`
		}
		MATCH (k:AuditCounter {name: $auditCounter})
		SET k.seq = $auditSeq, k.at = $auditAt
		REMOVE k._LOCK_
		WITH written, k
		UNWIND $auditChanges AS change
		CREATE (c:Change)
		SET c = change
		RETURN written, count(c)`, params)
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("neo4j: %s: the write returned %d rows", op, len(recs))
	}
	var rd reader
	written, recorded := rd.int(recs[0].Values[0]), rd.int(recs[0].Values[1])
	switch {
	case rd.err != nil:
		return rd.err
	case written != p.items.want:
		// The facts, read under the lock, said the items were there:
		// something else changed the graph (an import?). Roll back.
		return fmt.Errorf("neo4j: %s: wrote %d %s, planned %d", op, written, p.items.what, p.items.want)
	case recorded != len(changes):
		return fmt.Errorf("neo4j: %s: recorded %d audit entries of %d", op, recorded, len(changes))
	}
	return nil
}

// ---- Facts ----

// facts is what a write reads under the lock: columns for lockAndRead, with
// their parameters, and decode, which makes the plan's facts of their
// values (recording a decoding error in rd).
type facts[F any] struct {
	columns string
	params  map[string]any
	decode  func(rd *reader, v []any) F
}

// planOn is the plan that locks and reads f and calls rule on the facts.
func planOn[F, T any](f facts[F], rule func(F) (T, []pcnet.Change, error)) func(w *writeTx) (T, []pcnet.Change, error) {
	return func(w *writeTx) (T, []pcnet.Change, error) {
		var zero T
		v, err := w.lockAndRead(f.columns, f.params)
		if err != nil {
			return zero, nil, err
		}
		var rd reader
		x := f.decode(&rd, v)
		if rd.err != nil {
			return zero, nil, rd.err
		}
		return rule(x)
	}
}

// serviceColumn reads the service with ID $serviceId: a list of one list
// of its serviceFields, or an empty list. (*reader).foundService decodes it.
const serviceColumn = `
		COLLECT { MATCH (p:Province)-[:PROVIDES]->(s:SharedService {id: $serviceId})-[:IN_AREA]->(a:Area)
		          RETURN [` + serviceFields + `] }`

// foundService decodes serviceColumn: nil when there is no such service.
func (r *reader) foundService(v any) *pcnet.SharedService {
	return one(r, v, 7, "service", (*reader).service)
}

// provinceExists is a predicate: the Province whose code is parameter
// param exists and is not retired (gone from the ISTAT list, see Import).
// A Province that no longer exists can't provide, tutor or write anything
// new.
func provinceExists(param string) string {
	return `EXISTS { MATCH (p:Province {code: $` + param + `}) WHERE p.retired IS NULL OR NOT p.retired }`
}

// provinceColumn reads the Province whose code is parameter param, if it
// is not retired (see provinceExists): a list of one list of its
// provinceFields, or an empty list. (*reader).foundProvince decodes it.
func provinceColumn(param string) string {
	return `COLLECT { MATCH (p:Province {code: $` + param + `})-[:IN_REGION]->(r:Region) WHERE p.retired IS NULL OR NOT p.retired
	                  RETURN [` + provinceFields + `] }`
}

// foundProvince decodes provinceColumn: nil when there is no such Province.
func (r *reader) foundProvince(v any) *pcnet.Province {
	return one(r, v, 6, "Province", (*reader).province)
}

// coverageFacts are the facts of a coverage write to a service for the
// listed Comuni. Retired Comuni count as missing unless withRetired: a
// Comune that no longer exists can't join a service, but its coverage can
// end.
func coverageFacts(serviceID string, codes []string, withRetired bool) facts[pcnet.CoverageFacts] {
	return facts[pcnet.CoverageFacts]{
		columns: serviceColumn + `,
		COLLECT { UNWIND $codes AS code
		          MATCH (c:Comune {code: code})-[:IN_PROVINCE]->(p:Province)
		          WHERE $withRetired OR c.retired IS NULL OR NOT c.retired
		          RETURN [c.code, c.name, p.code,
		                  COLLECT { MATCH (c)<-[cov:COVERS]-(s:SharedService {id: $serviceId})
		                            RETURN [` + coverageFields + `] }] },` + serviceProviderColumns,
		params: map[string]any{"serviceId": serviceID, "codes": toAnySlice(codes), "withRetired": withRetired},
		decode: func(rd *reader, v []any) pcnet.CoverageFacts {
			f := pcnet.CoverageFacts{Service: rd.foundService(v[0]), Comuni: make(map[string]pcnet.Comune, len(codes)),
				ProviderParticipation: rd.providerParticipation(v[2:])}
			rd.rows(v[1], 4, "Comune", func(r []any) {
				f.Comuni[rd.str(r[0])] = pcnet.Comune{Code: rd.str(r[0]), Name: rd.str(r[1]), ProvinceCode: rd.str(r[2])}
				rd.rows(r[3], 5, "coverage", func(cov []any) { f.Existing = append(f.Existing, rd.coverage(cov)) })
			})
			return f
		},
	}
}

// tutorshipFacts are the facts of assigning t.
func tutorshipFacts(t pcnet.Tutorship) facts[pcnet.TutorshipFacts] {
	return facts[pcnet.TutorshipFacts]{
		columns: provinceColumn("tutor") + `,
		` + provinceColumn("tutored") + `,
		EXISTS { MATCH (:Sector {code: $sector}) },
		COLLECT { MATCH (tutor:Province {code: $tutor})-[t:TUTORS]->(tutored:Province {code: $tutored})
		          WHERE t.sector = $sector RETURN [` + tutorshipRow + `] },` + participationColumns,
		params: map[string]any{"tutor": t.TutorCode, "tutored": t.TutoredCode, "sector": t.SectorCode, "participants": []any{t.TutorCode, t.TutoredCode}},
		decode: func(rd *reader, v []any) pcnet.TutorshipFacts {
			f := pcnet.TutorshipFacts{Tutor: rd.foundProvince(v[0]), Tutored: rd.foundProvince(v[1]), SectorFound: rd.bool(v[2]),
				Participation: rd.participationFacts(t.SectorCode, v[4], v[5])}
			rd.rows(v[3], 7, "tutorship", func(tu []any) { f.Existing = append(f.Existing, rd.tutorship(tu)) })
			return f
		},
	}
}

// tutorshipWithKey is the tutorship with key k, nil when there is none.
func tutorshipWithKey(k pcnet.TutorshipKey) facts[*pcnet.Tutorship] {
	return facts[*pcnet.Tutorship]{
		columns: `
		COLLECT { MATCH (tutor:Province {code: $tutor})-[t:TUTORS]->(tutored:Province {code: $tutored})
		          WHERE t.sector = $sector AND t.since = $since
		          RETURN [` + tutorshipRow + `] }`,
		params: tutorshipKeyParams(k),
		decode: func(rd *reader, v []any) *pcnet.Tutorship { return one(rd, v[0], 7, "tutorship", (*reader).tutorship) },
	}
}

func tutorshipKeyParams(k pcnet.TutorshipKey) map[string]any {
	return map[string]any{"tutor": k.TutorCode, "tutored": k.TutoredCode, "sector": k.SectorCode, "since": dateParam(k.Since)}
}

// projectWorkFacts are the facts of saving pw; Tutored is whether the
// model's Province tutors pw's in the area's sector.
func projectWorkFacts(pw pcnet.ProjectWork) facts[pcnet.ProjectWorkFacts] {
	return facts[pcnet.ProjectWorkFacts]{
		columns: provinceExists("province") + `,
		EXISTS { MATCH (:Area {code: $area}) },` + projectWorkColumn + `,` + serviceColumn + `,` + projectWorkColumnOf("modelId") + `,
		EXISTS { MATCH (mp:Province)-[:WROTE]->(:ProjectWork {id: $modelId}), (mp)-[t:TUTORS]->(:Province {code: $province}),
		               (:Area {code: $area})-[:IN_SECTOR]->(sec:Sector) WHERE t.sector = sec.code }`,
		params: map[string]any{"id": pw.ID, "province": pw.ProvinceCode, "area": pw.AreaCode, "serviceId": stringParam(pw.ServiceID),
			"modelId": stringParam(pw.ModelFromID)},
		decode: func(rd *reader, v []any) pcnet.ProjectWorkFacts {
			return pcnet.ProjectWorkFacts{ProvinceFound: rd.bool(v[0]), AreaFound: rd.bool(v[1]),
				Current: rd.foundProjectWork(v[2]), Service: rd.foundService(v[3]),
				Model: rd.foundProjectWork(v[4]), Tutored: rd.bool(v[5])}
		},
	}
}

// ---- Writes ----

// Property maps as the import writes them (entity.go, datasetRows), so
// that an import of the same data finds nothing to change.

func serviceProps(s pcnet.SharedService) map[string]any {
	return map[string]any{
		"id": s.ID, "name": s.Name, "description": s.Description, "status": string(s.Status), "startDate": dateParam(s.StartDate),
	}
}

func coverageProps(c pcnet.Coverage) map[string]any {
	props := map[string]any{"since": dateParam(c.Since), "phase": string(c.Phase)}
	if !c.Until.IsZero() {
		props["until"] = dateParam(c.Until)
	}
	return props
}

func tutorshipProps(t pcnet.Tutorship) map[string]any {
	props := map[string]any{"sector": t.SectorCode, "since": dateParam(t.Since), "step": int64(t.Step)}
	if !t.Until.IsZero() {
		props["until"] = dateParam(t.Until)
	}
	if t.Outcome != "" {
		props["outcome"] = string(t.Outcome)
	}
	return props
}

func projectWorkProps(w pcnet.ProjectWork) map[string]any {
	return map[string]any{"id": w.ID, "title": w.Title, "maturity": string(w.Maturity), "step": int64(w.Step), "year": int64(w.Year)}
}

// writeOne runs one call of a write method: plan locks and reads the facts
// (lockAndRead) and calls pcnet's rule, items says what its result writes;
// op names the write in internal errors and to Config.AfterCommit. The
// Writer methods differ only in these.
func writeOne[T any](ctx context.Context, s *Store, op string, c pcnet.WriteCall, plan func(w *writeTx) (T, []pcnet.Change, error), items func(T) itemWrite) (T, error) {
	var zero, out T
	idem, err := c.Start(ctx) // bad input costs no round trip
	if err != nil {
		return zero, err
	}
	err = s.write(ctx, op, idem, &out, func(w *writeTx) (writePlan, error) {
		res, changes, err := plan(w)
		if err != nil {
			return writePlan{}, err
		}
		out = res
		return writePlan{changes: changes, items: items(res)}, nil
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// given returns rule with its first argument, the write's input, bound to in.
func given[I, F, T any](rule func(I, F) (T, []pcnet.Change, error), in I) func(F) (T, []pcnet.Change, error) {
	return func(f F) (T, []pcnet.Change, error) { return rule(in, f) }
}

// CreateService implements pcnet.Writer.
func (s *Store) CreateService(ctx context.Context, sv pcnet.SharedService) (pcnet.SharedService, error) {
	c := pcnet.WriteCall{Method: "CreateService", Input: []any{sv}, Invalid: pcnet.ValidateNewService(sv)}
	return writeOne(ctx, s, "creating a service", c, planOn(facts[pcnet.ServiceCreateFacts]{
		columns: `
			EXISTS { MATCH (:SharedService {id: $id}) },` +
			providerColumns(`MATCH (p:Province {code: $provider})`, `MATCH (a:Area {code: $area})`),
		params: map[string]any{"id": sv.ID, "provider": sv.ProviderCode, "area": sv.AreaCode},
		decode: func(rd *reader, v []any) pcnet.ServiceCreateFacts {
			return pcnet.ServiceCreateFacts{IDTaken: rd.bool(v[0]), ProviderParticipation: rd.providerParticipation(v[1:])}
		},
	}, given(pcnet.PlanServiceCreate, sv)), func(planned pcnet.SharedService) itemWrite {
		return itemWrite{
			what: "services", want: 1,
			cypher: `
			MATCH (p:Province {code: $provider}), (a:Area {code: $area})
			CREATE (p)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a)
			SET s = $props
			RETURN count(s) AS written`,
			params: map[string]any{"provider": planned.ProviderCode, "area": planned.AreaCode, "props": serviceProps(planned)},
		}
	})
}

// UpdateService implements pcnet.Writer.
func (s *Store) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	c := pcnet.WriteCall{Method: "UpdateService", Input: []any{id, u}, Invalid: pcnet.ValidateServiceUpdate(id, u)}
	var ended []pcnet.Coverage // the coverages the update ends, written with the service
	return writeOne(ctx, s, "updating a service", c, planOn(facts[pcnet.ServiceUpdateFacts]{
		columns: serviceColumn + `,
			COLLECT { MATCH (s:SharedService {id: $serviceId})-[cov:COVERS]->(c:Comune)
			          RETURN [` + coverageFields + `] },` + serviceProviderColumns,
		params: map[string]any{"serviceId": id},
		decode: func(rd *reader, v []any) pcnet.ServiceUpdateFacts {
			f := pcnet.ServiceUpdateFacts{Current: rd.foundService(v[0]), Today: pcnet.Today(), ProviderParticipation: rd.providerParticipation(v[2:])}
			rd.rows(v[1], 5, "coverage", func(r []any) { f.Coverages = append(f.Coverages, rd.coverage(r)) })
			return f
		},
	}, func(f pcnet.ServiceUpdateFacts) (planned pcnet.SharedService, changes []pcnet.Change, err error) {
		planned, ended, changes, err = pcnet.PlanServiceUpdate(id, u, f)
		return planned, changes, err
	}), func(planned pcnet.SharedService) itemWrite {
		rows := make([]any, len(ended))
		for i, c := range ended {
			rows[i] = map[string]any{"comune": c.ComuneCode, "since": dateParam(c.Since), "until": dateParam(c.Until)}
		}
		// The service and the coverages its ending ends, in one count.
		return itemWrite{
			what: "services and coverages", want: 1 + len(rows),
			cypher: `
			MATCH (s:SharedService {id: $id})
			SET s += $props
			WITH s
			CALL (s) {
				UNWIND $ended AS row
				MATCH (s)-[r:COVERS]->(:Comune {code: row.comune})
				WHERE r.since = row.since
				SET r.until = row.until
				RETURN count(r) AS coverages
			}
			RETURN 1 + coverages AS written`,
			params: map[string]any{"id": id, "ended": rows, "props": map[string]any{
				"name": planned.Name, "description": planned.Description,
				"status": string(planned.Status), "startDate": dateParam(planned.StartDate),
			}},
		}
	})
}

// AddCoverage implements pcnet.Writer.
func (s *Store) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	c := pcnet.WriteCall{Method: "AddCoverage", Input: []any{a}, Invalid: pcnet.ValidateCoverageAddition(a)}
	return writeOne(ctx, s, "adding coverage", c, planOn(coverageFacts(a.ServiceID, a.ComuneCodes, false), given(pcnet.PlanCoverageAddition, a)),
		coverageItems(a.ServiceID, nil, func(c pcnet.Coverage) map[string]any {
			return map[string]any{"comune": c.ComuneCode, "props": coverageProps(c)}
		}, `
			MATCH (c:Comune {code: row.comune})
			CREATE (s)-[r:COVERS]->(c)
			SET r = row.props`))
}

// EndCoverage implements pcnet.Writer.
func (s *Store) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	c := pcnet.WriteCall{Method: "EndCoverage", Input: []any{e}, Invalid: pcnet.ValidateCoverageEnding(e)}
	return writeOne(ctx, s, "ending coverage", c, planOn(coverageFacts(e.ServiceID, e.ComuneCodes, true), given(pcnet.PlanCoverageEnding, e)),
		coverageItems(e.ServiceID, map[string]any{"until": dateParam(e.Until)}, func(c pcnet.Coverage) map[string]any {
			return map[string]any{"comune": c.ComuneCode, "since": dateParam(c.Since)}
		}, `
			MATCH (s)-[r:COVERS]->(:Comune {code: row.comune})
			WHERE r.since = row.since AND r.until IS NULL
			SET r.until = $until`))
}

// coverageItems writes the coverages a write to the service changes: each
// is a row (made by row) that perRow writes, with s the service and r the
// coverage, given params besides $rows.
func coverageItems(serviceID string, params map[string]any, row func(pcnet.Coverage) map[string]any, perRow string) func(pcnet.CoverageResult) itemWrite {
	return func(res pcnet.CoverageResult) itemWrite {
		rows := make([]any, len(res.Changed))
		for i, c := range res.Changed {
			rows[i] = row(c)
		}
		p := map[string]any{"id": serviceID, "rows": rows}
		for k, v := range params {
			p[k] = v
		}
		return itemWrite{
			what: "coverages", want: len(rows),
			cypher: `
			MATCH (s:SharedService {id: $id})
			UNWIND $rows AS row` + perRow + `
			RETURN count(r) AS written`,
			params: p,
		}
	}
}

// AssignTutor implements pcnet.Writer.
func (s *Store) AssignTutor(ctx context.Context, t pcnet.Tutorship) (pcnet.Tutorship, error) {
	c := pcnet.WriteCall{Method: "AssignTutor", Input: []any{t}, Invalid: pcnet.ValidateTutorship(t)}
	return writeOne(ctx, s, "assigning a tutor", c, planOn(tutorshipFacts(t), given(pcnet.PlanTutorAssign, t)), func(planned pcnet.Tutorship) itemWrite {
		return itemWrite{
			what: "tutorships", want: 1,
			cypher: `
			MATCH (a:Province {code: $tutor}), (b:Province {code: $tutored})
			CREATE (a)-[t:TUTORS]->(b)
			SET t = $props
			RETURN count(t) AS written`,
			params: map[string]any{"tutor": planned.TutorCode, "tutored": planned.TutoredCode, "props": tutorshipProps(planned)},
		}
	})
}

// AdvanceTutorship implements pcnet.Writer.
func (s *Store) AdvanceTutorship(ctx context.Context, k pcnet.TutorshipKey, step int) (pcnet.Tutorship, error) {
	return s.tutorshipChange(ctx, "advancing a tutorship", "AdvanceTutorship", []any{k, step}, k, func(current *pcnet.Tutorship) (pcnet.Tutorship, []pcnet.Change, error) {
		return pcnet.PlanTutorAdvance(k, current, step)
	})
}

// EndTutorship implements pcnet.Writer.
func (s *Store) EndTutorship(ctx context.Context, k pcnet.TutorshipKey, until pcnet.Date, outcome pcnet.TutorshipOutcome) (pcnet.Tutorship, error) {
	return s.tutorshipChange(ctx, "ending a tutorship", "EndTutorship", []any{k, until, outcome}, k, func(current *pcnet.Tutorship) (pcnet.Tutorship, []pcnet.Change, error) {
		return pcnet.PlanTutorEnd(k, current, until, outcome)
	})
}

// tutorshipChange changes the tutorship with key k as rule says.
func (s *Store) tutorshipChange(ctx context.Context, op, method string, input []any, k pcnet.TutorshipKey, rule func(current *pcnet.Tutorship) (pcnet.Tutorship, []pcnet.Change, error)) (pcnet.Tutorship, error) {
	c := pcnet.WriteCall{Method: method, Input: input, Invalid: pcnet.ValidateTutorshipKey(k)}
	return writeOne(ctx, s, op, c, planOn(tutorshipWithKey(k), rule), func(planned pcnet.Tutorship) itemWrite {
		params := tutorshipKeyParams(k)
		params["props"] = tutorshipProps(planned)
		return itemWrite{
			what: "tutorships", want: 1,
			cypher: `
			MATCH (:Province {code: $tutor})-[t:TUTORS]->(:Province {code: $tutored})
			WHERE t.sector = $sector AND t.since = $since
			SET t = $props
			RETURN count(t) AS written`,
			params: params,
		}
	})
}

// SaveProjectWork implements pcnet.Writer.
func (s *Store) SaveProjectWork(ctx context.Context, pw pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	c := pcnet.WriteCall{Method: "SaveProjectWork", Input: []any{pw}, Invalid: pcnet.ValidateProjectWork(pw)}
	var saved bool // the project work was there: it is rewritten, not created
	return writeOne(ctx, s, "saving a project work", c, planOn(projectWorkFacts(pw), func(f pcnet.ProjectWorkFacts) (pcnet.ProjectWork, []pcnet.Change, error) {
		saved = f.Current != nil
		return pcnet.PlanProjectWork(pw, f)
	}), func(planned pcnet.ProjectWork) itemWrite {
		// A new project work is created; a saved one loses its links
		// and gets the new ones, as the import rewrites it.
		cypher := `
			CREATE (w:ProjectWork)
			SET w = $props`
		if saved {
			cypher = `
			MATCH (w:ProjectWork {id: $id})
			SET w = $props
			WITH w
			CALL (w) { MATCH (w)<-[old:WROTE]-(:Province) DELETE old }
			CALL (w) { MATCH (w)-[old:IN_AREA]->(:Area) DELETE old }
			CALL (w) { MATCH (w)-[old:LED_TO]->(:SharedService) DELETE old }
			CALL (w) { MATCH (w)-[old:ADAPTS]->(:ProjectWork) DELETE old }`
		}
		cypher += `
			WITH w
			MATCH (p:Province {code: $province}), (a:Area {code: $area})
			OPTIONAL MATCH (s:SharedService {id: $service})
			OPTIONAL MATCH (m:ProjectWork {id: $model})
			CREATE (p)-[:WROTE]->(w)-[:IN_AREA]->(a)
			FOREACH (x IN CASE WHEN s IS NULL THEN [] ELSE [s] END | CREATE (w)-[:LED_TO]->(x))
			FOREACH (x IN CASE WHEN m IS NULL THEN [] ELSE [m] END | CREATE (w)-[:ADAPTS]->(x))
			RETURN count(w) AS written`
		return itemWrite{
			what: "project works", want: 1, cypher: cypher,
			params: map[string]any{
				"id": planned.ID, "props": projectWorkProps(planned),
				"province": planned.ProvinceCode, "area": planned.AreaCode, "service": stringParam(planned.ServiceID),
				"model": stringParam(planned.ModelFromID),
			},
		}
	})
}

// ---- The audit trail ----

// LastChangeSeq implements pcnet.Writer: the audit counter's seq, one seek
// of its uniqueness constraint's index (the counter is written in the same
// transaction as each write's data and entries).
func (s *Store) LastChangeSeq(ctx context.Context) (int64, error) {
	recs, err := s.read(ctx, `
		OPTIONAL MATCH (k:AuditCounter {name: $auditCounter})
		RETURN coalesce(k.seq, 0)`, map[string]any{"auditCounter": auditCounter})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("neo4j: reading the audit counter: %w", err)
	}
	if len(recs) != 1 {
		return 0, fmt.Errorf("neo4j: the audit counter came in %d rows", len(recs))
	}
	var rd reader
	seq := int64(rd.int(recs[0].Values[0]))
	return seq, rd.err
}

// Changes implements pcnet.Writer. The filter applies in the database; the
// query text holds only the predicates of the filters set, so an EntityID
// lookup seeks the change_entity_id index and the rest walk change_seq in
// order.
func (s *Store) Changes(ctx context.Context, f pcnet.ChangeFilter) ([]pcnet.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := pcnet.ValidateChangeFilter(f); err != nil {
		return nil, err
	}
	where := []string{"c.seq > $afterSeq"}
	params := map[string]any{"afterSeq": f.AfterSeq}
	if !f.Since.IsZero() {
		where = append(where, "c.at >= $since")
		params["since"] = f.Since.UTC()
	}
	if f.Entity != "" {
		where = append(where, "c.entity = $entity")
		params["entity"] = f.Entity
	}
	if f.EntityID != "" {
		where = append(where, "c.entityId = $entityId")
		params["entityId"] = f.EntityID
	}
	cypher := `
		MATCH (c:Change)
		WHERE ` + strings.Join(where, " AND ") + `
		RETURN c.seq, c.at, c.actor, c.entity, c.entityId, c.action, c.summary
		ORDER BY c.seq`
	if f.Limit > 0 {
		cypher += `
		LIMIT $limit`
		params["limit"] = int64(f.Limit)
	}
	recs, err := s.read(ctx, cypher, params)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("neo4j: reading the audit trail: %w", err)
	}
	out := make([]pcnet.Change, 0, len(recs))
	var rd reader
	for _, rec := range recs {
		v := rec.Values
		out = append(out, pcnet.Change{Seq: int64(rd.int(v[0])), At: rd.instant(v[1]), Actor: rd.str(v[2]),
			Entity: rd.str(v[3]), EntityID: rd.str(v[4]), Action: rd.str(v[5]), Summary: rd.str(v[6])})
	}
	return out, rd.err
}

// instant reads a datetime as a UTC time (the zero time for null).
func (r *reader) instant(v any) time.Time {
	switch v := v.(type) {
	case nil:
		return time.Time{}
	case time.Time:
		return v.UTC()
	}
	r.fail("datetime", v)
	return time.Time{}
}
