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

// serviceColumn reads the service with ID $serviceId: a list of one list
// of its fields, or an empty list. readService decodes it.
const serviceColumn = `
		COLLECT { MATCH (p:Province)-[:PROVIDES]->(s:SharedService {id: $serviceId})-[:IN_AREA]->(a:Area)
		          RETURN [s.id, s.name, s.description, p.code, a.code, s.status, s.startDate] }`

// readService decodes serviceColumn: nil when there is no such service.
func readService(v any) (*pcnet.SharedService, error) {
	var rd reader
	found := rd.list(v)
	if len(found) == 0 {
		return nil, rd.err
	}
	f := rd.list(found[0])
	if len(f) != 7 {
		return nil, fmt.Errorf("neo4j: service row of %d fields", len(f))
	}
	sv := pcnet.SharedService{
		ID:           rd.str(f[0]),
		Name:         rd.str(f[1]),
		Description:  rd.str(f[2]),
		ProviderCode: rd.str(f[3]),
		AreaCode:     rd.str(f[4]),
		Status:       pcnet.ServiceStatus(rd.str(f[5])),
		StartDate:    rd.date(f[6]),
	}
	return &sv, rd.err
}

// provinceExists is a predicate: the Province whose code is parameter
// param exists and is not retired (gone from the ISTAT list, see Import).
// A Province that no longer exists can't provide, tutor or write anything
// new.
func provinceExists(param string) string {
	return `EXISTS { MATCH (p:Province {code: $` + param + `}) WHERE p.retired IS NULL OR NOT p.retired }`
}

// provinceColumn reads the Province whose code is parameter param, if it
// is not retired (see provinceExists): a list of one list of its code,
// name, kind and region code, or an empty list. readProvince decodes it.
func provinceColumn(param string) string {
	return `COLLECT { MATCH (p:Province {code: $` + param + `})-[:IN_REGION]->(r:Region) WHERE p.retired IS NULL OR NOT p.retired
	                  RETURN [p.code, p.name, p.kind, r.code] }`
}

// readProvince decodes provinceColumn: nil when there is no such Province.
func readProvince(v any) (*pcnet.Province, error) {
	var rd reader
	found := rd.list(v)
	if len(found) == 0 {
		return nil, rd.err
	}
	f := rd.list(found[0])
	if len(f) != 4 {
		return nil, fmt.Errorf("neo4j: Province row of %d fields", len(f))
	}
	p := pcnet.Province{Code: rd.str(f[0]), Name: rd.str(f[1]), Kind: pcnet.ProvinceKind(rd.str(f[2])), RegionCode: rd.str(f[3])}
	return &p, rd.err
}

// coverageFacts locks and returns the facts of a coverage write to a
// service for the listed Comuni. Retired Comuni count as missing unless
// withRetired: a Comune that no longer exists can't join a service, but
// its coverage can end.
func (w *writeTx) coverageFacts(serviceID string, codes []string, withRetired bool) (pcnet.CoverageFacts, error) {
	v, err := w.lockAndRead(serviceColumn+`,
		COLLECT { UNWIND $codes AS code
		          MATCH (c:Comune {code: code})-[:IN_PROVINCE]->(p:Province)
		          WHERE $withRetired OR c.retired IS NULL OR NOT c.retired
		          RETURN [c.code, c.name, p.code,
		                  COLLECT { MATCH (c)<-[cov:COVERS]-(:SharedService {id: $serviceId})
		                            RETURN [cov.since, cov.until, cov.phase] }] },`+serviceProviderColumns,
		map[string]any{"serviceId": serviceID, "codes": toAnySlice(codes), "withRetired": withRetired})
	if err != nil {
		return pcnet.CoverageFacts{}, err
	}
	svc, err := readService(v[0])
	if err != nil {
		return pcnet.CoverageFacts{}, err
	}
	f := pcnet.CoverageFacts{Service: svc, Comuni: make(map[string]pcnet.Comune, len(codes))}
	if f.ProviderParticipation, err = readProviderParticipation(v[2:]); err != nil {
		return pcnet.CoverageFacts{}, err
	}
	var rd reader
	for _, row := range rd.list(v[1]) {
		r := rd.list(row)
		if len(r) != 4 {
			return pcnet.CoverageFacts{}, fmt.Errorf("neo4j: Comune row of %d fields", len(r))
		}
		c := pcnet.Comune{Code: rd.str(r[0]), Name: rd.str(r[1]), ProvinceCode: rd.str(r[2])}
		f.Comuni[c.Code] = c
		for _, e := range rd.list(r[3]) {
			cov := rd.list(e)
			if len(cov) != 3 {
				return pcnet.CoverageFacts{}, fmt.Errorf("neo4j: coverage row of %d fields", len(cov))
			}
			f.Existing = append(f.Existing, pcnet.Coverage{
				ServiceID: serviceID, ComuneCode: c.Code,
				Since: rd.date(cov[0]), Until: rd.date(cov[1]), Phase: pcnet.CoveragePhase(rd.str(cov[2])),
			})
		}
	}
	return f, rd.err
}

// tutorshipFacts locks and returns the facts of assigning t.
func (w *writeTx) tutorshipFacts(t pcnet.Tutorship) (pcnet.TutorshipFacts, error) {
	v, err := w.lockAndRead(provinceColumn("tutor")+`,
		`+provinceColumn("tutored")+`,
		EXISTS { MATCH (:Sector {code: $sector}) },
		COLLECT { MATCH (:Province {code: $tutor})-[t:TUTORS]->(:Province {code: $tutored})
		          WHERE t.sector = $sector RETURN [t.since, t.until, t.step] },`+participationColumns,
		map[string]any{"tutor": t.TutorCode, "tutored": t.TutoredCode, "sector": t.SectorCode, "participants": []any{t.TutorCode, t.TutoredCode}})
	if err != nil {
		return pcnet.TutorshipFacts{}, err
	}
	var rd reader
	f := pcnet.TutorshipFacts{SectorFound: rd.bool(v[2])}
	if f.Tutor, err = readProvince(v[0]); err != nil {
		return pcnet.TutorshipFacts{}, err
	}
	if f.Tutored, err = readProvince(v[1]); err != nil {
		return pcnet.TutorshipFacts{}, err
	}
	for _, e := range rd.list(v[3]) {
		tu := rd.list(e)
		if len(tu) != 3 {
			return pcnet.TutorshipFacts{}, fmt.Errorf("neo4j: tutorship row of %d fields", len(tu))
		}
		f.Existing = append(f.Existing, pcnet.Tutorship{
			TutorCode: t.TutorCode, TutoredCode: t.TutoredCode, SectorCode: t.SectorCode,
			Since: rd.date(tu[0]), Until: rd.date(tu[1]), Step: rd.int(tu[2]),
		})
	}
	if f.Participation, err = readParticipation(t.SectorCode, v[4], v[5]); err != nil {
		return pcnet.TutorshipFacts{}, err
	}
	return f, rd.err
}

// tutorship locks and returns the tutorship with key k, nil when there is
// none.
func (w *writeTx) tutorship(k pcnet.TutorshipKey) (*pcnet.Tutorship, error) {
	v, err := w.lockAndRead(`
		COLLECT { MATCH (:Province {code: $tutor})-[t:TUTORS]->(:Province {code: $tutored})
		          WHERE t.sector = $sector AND t.since = $since
		          RETURN [t.until, t.step, t.outcome] }`, tutorshipKeyParams(k))
	if err != nil {
		return nil, err
	}
	var rd reader
	found := rd.list(v[0])
	if len(found) == 0 {
		return nil, rd.err
	}
	f := rd.list(found[0])
	if len(f) != 3 {
		return nil, fmt.Errorf("neo4j: tutorship row of %d fields", len(f))
	}
	t := pcnet.Tutorship{
		TutorCode: k.TutorCode, TutoredCode: k.TutoredCode, SectorCode: k.SectorCode, Since: k.Since,
		Until: rd.date(f[0]), Step: rd.int(f[1]), Outcome: pcnet.TutorshipOutcome(rd.str(f[2])),
	}
	return &t, rd.err
}

func tutorshipKeyParams(k pcnet.TutorshipKey) map[string]any {
	return map[string]any{"tutor": k.TutorCode, "tutored": k.TutoredCode, "sector": k.SectorCode, "since": dateParam(k.Since)}
}

// projectWorkFacts locks and returns the facts of saving pw; Tutored is
// whether the model's Province tutors or tutored pw's in the area's sector.
func (w *writeTx) projectWorkFacts(pw pcnet.ProjectWork) (pcnet.ProjectWorkFacts, error) {
	v, err := w.lockAndRead(provinceExists("province")+`,
		EXISTS { MATCH (:Area {code: $area}) },`+projectWorkColumn+`,`+serviceColumn+`,`+projectWorkColumnOf("modelId")+`,
		EXISTS { MATCH (mp:Province)-[:WROTE]->(:ProjectWork {id: $modelId}), (mp)-[t:TUTORS]->(:Province {code: $province}),
		               (:Area {code: $area})-[:IN_SECTOR]->(sec:Sector) WHERE t.sector = sec.code }`,
		map[string]any{"id": pw.ID, "province": pw.ProvinceCode, "area": pw.AreaCode, "serviceId": stringParam(pw.ServiceID),
			"modelId": stringParam(pw.ModelFromID)})
	if err != nil {
		return pcnet.ProjectWorkFacts{}, err
	}
	var rd reader
	f := pcnet.ProjectWorkFacts{ProvinceFound: rd.bool(v[0]), AreaFound: rd.bool(v[1])}
	if rd.err != nil {
		return pcnet.ProjectWorkFacts{}, rd.err
	}
	if f.Current, err = readProjectWork(pw.ID, v[2]); err != nil {
		return pcnet.ProjectWorkFacts{}, err
	}
	if f.Service, err = readService(v[3]); err != nil {
		return pcnet.ProjectWorkFacts{}, err
	}
	if f.Model, err = readProjectWork(pw.ModelFromID, v[4]); err != nil {
		return pcnet.ProjectWorkFacts{}, err
	}
	f.Tutored = rd.bool(v[5])
	return f, rd.err
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

// CreateService implements pcnet.Writer.
func (s *Store) CreateService(ctx context.Context, sv pcnet.SharedService) (pcnet.SharedService, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "CreateService", sv)
	if err != nil {
		return pcnet.SharedService{}, err
	}
	if err := pcnet.ValidateNewService(sv); err != nil {
		return pcnet.SharedService{}, err // no round trip for bad input
	}
	var out pcnet.SharedService
	err = s.write(ctx, "creating a service", idem, &out, func(w *writeTx) (writePlan, error) {
		v, err := w.lockAndRead(`
			EXISTS { MATCH (:SharedService {id: $id}) },`+
			providerColumns(`MATCH (p:Province {code: $provider})`, `MATCH (a:Area {code: $area})`),
			map[string]any{"id": sv.ID, "provider": sv.ProviderCode, "area": sv.AreaCode})
		if err != nil {
			return writePlan{}, err
		}
		var rd reader
		facts := pcnet.ServiceCreateFacts{IDTaken: rd.bool(v[0])}
		if rd.err != nil {
			return writePlan{}, rd.err
		}
		if facts.ProviderParticipation, err = readProviderParticipation(v[1:]); err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanServiceCreate(sv, facts)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: itemWrite{
			what: "services", want: 1,
			cypher: `
			MATCH (p:Province {code: $provider}), (a:Area {code: $area})
			CREATE (p)-[:PROVIDES]->(s:SharedService)-[:IN_AREA]->(a)
			SET s = $props
			RETURN count(s) AS written`,
			params: map[string]any{"provider": planned.ProviderCode, "area": planned.AreaCode, "props": serviceProps(planned)},
		}}, nil
	})
	if err != nil {
		return pcnet.SharedService{}, err
	}
	return out, nil
}

// UpdateService implements pcnet.Writer.
func (s *Store) UpdateService(ctx context.Context, id string, u pcnet.ServiceUpdate) (pcnet.SharedService, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "UpdateService", id, u)
	if err != nil {
		return pcnet.SharedService{}, err
	}
	if err := pcnet.ValidateServiceUpdate(id, u); err != nil {
		return pcnet.SharedService{}, err
	}
	var out pcnet.SharedService
	err = s.write(ctx, "updating a service", idem, &out, func(w *writeTx) (writePlan, error) {
		v, err := w.lockAndRead(serviceColumn+`,
			COLLECT { MATCH (:SharedService {id: $serviceId})-[c:COVERS]->(m:Comune)
			          RETURN [m.code, c.since, c.until, c.phase] },`+serviceProviderColumns,
			map[string]any{"serviceId": id})
		if err != nil {
			return writePlan{}, err
		}
		current, err := readService(v[0])
		if err != nil {
			return writePlan{}, err
		}
		var rd reader
		var covs []pcnet.Coverage
		for _, row := range rd.list(v[1]) {
			r := rd.list(row)
			if len(r) != 4 {
				return writePlan{}, fmt.Errorf("neo4j: coverage row of %d fields", len(r))
			}
			covs = append(covs, pcnet.Coverage{ServiceID: id, ComuneCode: rd.str(r[0]),
				Since: rd.date(r[1]), Until: rd.date(r[2]), Phase: pcnet.CoveragePhase(rd.str(r[3]))})
		}
		if rd.err != nil {
			return writePlan{}, rd.err
		}
		pp, err := readProviderParticipation(v[2:])
		if err != nil {
			return writePlan{}, err
		}
		planned, ended, changes, err := pcnet.PlanServiceUpdate(id, u, pcnet.ServiceUpdateFacts{Current: current, Coverages: covs, Today: pcnet.Today(), ProviderParticipation: pp})
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		rows := make([]any, len(ended))
		for i, c := range ended {
			rows[i] = map[string]any{"comune": c.ComuneCode, "since": dateParam(c.Since), "until": dateParam(c.Until)}
		}
		// The service and the coverages its ending ends, in one count.
		return writePlan{changes: changes, items: itemWrite{
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
		}}, nil
	})
	if err != nil {
		return pcnet.SharedService{}, err
	}
	return out, nil
}

// AddCoverage implements pcnet.Writer.
func (s *Store) AddCoverage(ctx context.Context, a pcnet.CoverageAddition) (pcnet.CoverageResult, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "AddCoverage", a)
	if err != nil {
		return pcnet.CoverageResult{}, err
	}
	if err := pcnet.ValidateCoverageAddition(a); err != nil {
		return pcnet.CoverageResult{}, err
	}
	var out pcnet.CoverageResult
	err = s.write(ctx, "adding coverage", idem, &out, func(w *writeTx) (writePlan, error) {
		facts, err := w.coverageFacts(a.ServiceID, a.ComuneCodes, false)
		if err != nil {
			return writePlan{}, err
		}
		res, changes, err := pcnet.PlanCoverageAddition(a, facts)
		if err != nil {
			return writePlan{}, err
		}
		out = res
		rows := make([]any, len(res.Changed))
		for i, c := range res.Changed {
			rows[i] = map[string]any{"comune": c.ComuneCode, "props": coverageProps(c)}
		}
		return writePlan{changes: changes, items: itemWrite{
			what: "coverages", want: len(rows),
			cypher: `
			MATCH (s:SharedService {id: $id})
			UNWIND $rows AS row
			MATCH (c:Comune {code: row.comune})
			CREATE (s)-[r:COVERS]->(c)
			SET r = row.props
			RETURN count(r) AS written`,
			params: map[string]any{"id": a.ServiceID, "rows": rows},
		}}, nil
	})
	if err != nil {
		return pcnet.CoverageResult{}, err
	}
	return out, nil
}

// EndCoverage implements pcnet.Writer.
func (s *Store) EndCoverage(ctx context.Context, e pcnet.CoverageEnding) (pcnet.CoverageResult, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "EndCoverage", e)
	if err != nil {
		return pcnet.CoverageResult{}, err
	}
	if err := pcnet.ValidateCoverageEnding(e); err != nil {
		return pcnet.CoverageResult{}, err
	}
	var out pcnet.CoverageResult
	err = s.write(ctx, "ending coverage", idem, &out, func(w *writeTx) (writePlan, error) {
		facts, err := w.coverageFacts(e.ServiceID, e.ComuneCodes, true)
		if err != nil {
			return writePlan{}, err
		}
		res, changes, err := pcnet.PlanCoverageEnding(e, facts)
		if err != nil {
			return writePlan{}, err
		}
		out = res
		rows := make([]any, len(res.Changed))
		for i, c := range res.Changed {
			rows[i] = map[string]any{"comune": c.ComuneCode, "since": dateParam(c.Since)}
		}
		return writePlan{changes: changes, items: itemWrite{
			what: "coverages", want: len(rows),
			cypher: `
			MATCH (s:SharedService {id: $id})
			UNWIND $rows AS row
			MATCH (s)-[r:COVERS]->(:Comune {code: row.comune})
			WHERE r.since = row.since AND r.until IS NULL
			SET r.until = $until
			RETURN count(r) AS written`,
			params: map[string]any{"id": e.ServiceID, "rows": rows, "until": dateParam(e.Until)},
		}}, nil
	})
	if err != nil {
		return pcnet.CoverageResult{}, err
	}
	return out, nil
}

// AssignTutor implements pcnet.Writer.
func (s *Store) AssignTutor(ctx context.Context, t pcnet.Tutorship) (pcnet.Tutorship, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "AssignTutor", t)
	if err != nil {
		return pcnet.Tutorship{}, err
	}
	if err := pcnet.ValidateTutorship(t); err != nil {
		return pcnet.Tutorship{}, err
	}
	var out pcnet.Tutorship
	err = s.write(ctx, "assigning a tutor", idem, &out, func(w *writeTx) (writePlan, error) {
		facts, err := w.tutorshipFacts(t)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanTutorAssign(t, facts)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		return writePlan{changes: changes, items: itemWrite{
			what: "tutorships", want: 1,
			cypher: `
			MATCH (a:Province {code: $tutor}), (b:Province {code: $tutored})
			CREATE (a)-[t:TUTORS]->(b)
			SET t = $props
			RETURN count(t) AS written`,
			params: map[string]any{"tutor": planned.TutorCode, "tutored": planned.TutoredCode, "props": tutorshipProps(planned)},
		}}, nil
	})
	if err != nil {
		return pcnet.Tutorship{}, err
	}
	return out, nil
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

// tutorshipChange changes the tutorship with key k as plan says.
func (s *Store) tutorshipChange(ctx context.Context, op, method string, input []any, k pcnet.TutorshipKey, plan func(current *pcnet.Tutorship) (pcnet.Tutorship, []pcnet.Change, error)) (pcnet.Tutorship, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, method, input...)
	if err != nil {
		return pcnet.Tutorship{}, err
	}
	if err := pcnet.ValidateTutorshipKey(k); err != nil {
		return pcnet.Tutorship{}, err
	}
	var out pcnet.Tutorship
	err = s.write(ctx, op, idem, &out, func(w *writeTx) (writePlan, error) {
		current, err := w.tutorship(k)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := plan(current)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		params := tutorshipKeyParams(k)
		params["props"] = tutorshipProps(planned)
		return writePlan{changes: changes, items: itemWrite{
			what: "tutorships", want: 1,
			cypher: `
			MATCH (:Province {code: $tutor})-[t:TUTORS]->(:Province {code: $tutored})
			WHERE t.sector = $sector AND t.since = $since
			SET t = $props
			RETURN count(t) AS written`,
			params: params,
		}}, nil
	})
	if err != nil {
		return pcnet.Tutorship{}, err
	}
	return out, nil
}

// SaveProjectWork implements pcnet.Writer.
func (s *Store) SaveProjectWork(ctx context.Context, pw pcnet.ProjectWork) (pcnet.ProjectWork, error) {
	idem, err := pcnet.IdempotencyFrom(ctx, "SaveProjectWork", pw)
	if err != nil {
		return pcnet.ProjectWork{}, err
	}
	if err := pcnet.ValidateProjectWork(pw); err != nil {
		return pcnet.ProjectWork{}, err
	}
	var out pcnet.ProjectWork
	err = s.write(ctx, "saving a project work", idem, &out, func(w *writeTx) (writePlan, error) {
		facts, err := w.projectWorkFacts(pw)
		if err != nil {
			return writePlan{}, err
		}
		planned, changes, err := pcnet.PlanProjectWork(pw, facts)
		if err != nil {
			return writePlan{}, err
		}
		out = planned
		// A new project work is created; a saved one loses its links
		// and gets the new ones, as the import rewrites it.
		cypher := `
			CREATE (w:ProjectWork)
			SET w = $props`
		if facts.Current != nil {
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
		return writePlan{changes: changes, items: itemWrite{
			what: "project works", want: 1, cypher: cypher,
			params: map[string]any{
				"id": planned.ID, "props": projectWorkProps(planned),
				"province": planned.ProvinceCode, "area": planned.AreaCode, "service": stringParam(planned.ServiceID),
				"model": stringParam(planned.ModelFromID),
			},
		}}, nil
	})
	if err != nil {
		return pcnet.ProjectWork{}, err
	}
	return out, nil
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
		out = append(out, pcnet.Change{
			Seq:      int64(rd.int(v[0])),
			At:       rd.instant(v[1]),
			Actor:    rd.str(v[2]),
			Entity:   rd.str(v[3]),
			EntityID: rd.str(v[4]),
			Action:   rd.str(v[5]),
			Summary:  rd.str(v[6]),
		})
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
