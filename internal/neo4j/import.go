package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	neo4jdrv "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"pcnet/internal/pcnet"
)

// DefaultBatchSize is the number of rows written per query by Import.
const DefaultBatchSize = 2000

// ImportOptions tune Import.
type ImportOptions struct {
	// Progress, if set, is called as the import goes (from the importing
	// goroutine).
	Progress func(Progress)
	// Prune deletes the sectors, areas, services, coverages, tutorships and
	// project works that the database holds but the dataset doesn't list.
	// Without it they are kept and reported as missing.
	Prune bool
	// BatchSize is the number of rows per write query; 0 means
	// DefaultBatchSize.
	BatchSize int
}

// Progress reports how far the import of one entity kind has come.
type Progress struct {
	Entity string // e.g. "comuni"
	Done   int    // rows of the dataset compared and, where needed, written
	Total  int    // rows of the dataset
}

// EntityCount is what an import did to one entity kind.
type EntityCount struct {
	Entity    string // e.g. "comuni", "coverages"
	Created   int
	Updated   int // properties or links changed
	Unchanged int
	Missing   int // in the database but not in the dataset
	Deleted   int // of Missing, deleted (unused geography, or pruned)
	Retired   int // of Missing, kept and flagged retired (geography still in use)
}

// RetiredNode is a region, Province or Comune that the dataset no longer
// lists but that stays in the database, flagged retired, because something
// still refers to it (a Comune covered by a service the new network file
// doesn't list, for instance).
type RetiredNode struct {
	Label string // "Region", "Province" or "Comune"
	Code  string
	Name  string
}

// ImportSummary reports what Import did.
type ImportSummary struct {
	Migrations               []MigrationStep
	Entities                 []EntityCount // in import order
	ComuniWithoutCoordinates int
	Retired                  []RetiredNode // ordered by label, then code
	Pruned                   bool
	Elapsed                  time.Duration
}

// Entity returns the count of the named entity kind (zero if unknown).
func (s ImportSummary) Entity(name string) EntityCount {
	for _, e := range s.Entities {
		if e.Entity == name {
			return e
		}
	}
	return EntityCount{Entity: name}
}

// Changes returns the number of entities created, updated or deleted.
func (s ImportSummary) Changes() int {
	n := 0
	for _, e := range s.Entities {
		n += e.Created + e.Updated + e.Deleted
	}
	return n
}

// Import loads ds into the database with Import's defaults; see ImportWith.
func (s *Store) Import(ctx context.Context, ds pcnet.Dataset, progress func(Progress)) (ImportSummary, error) {
	return s.ImportWith(ctx, ds, ImportOptions{Progress: progress})
}

// ImportWith makes the database hold ds. It validates ds first and writes
// nothing if it is invalid (the error is the validation's, with code
// pcnet.EINVALID). It then applies the migrations and, in one write
// transaction (all or nothing), compares each entity with what the
// database holds and creates or rewrites only what differs, so importing
// the same dataset twice changes nothing the second time.
//
// What the database holds but ds doesn't list:
//   - Comuni, Provinces and regions (ISTAT lists change: Comuni merge) are
//     deleted when nothing refers to them, and otherwise kept, flagged
//     retired (property retired: true) and reported: a coverage must not
//     lose its Comune.
//   - Network entities (sectors, areas, services, coverages, tutorships,
//     project works) are kept and reported as missing, or deleted with
//     opts.Prune, when the network file is the whole truth.
func (s *Store) ImportWith(ctx context.Context, ds pcnet.Dataset, opts ImportOptions) (ImportSummary, error) {
	start := time.Now()
	if err := ds.Validate(); err != nil {
		return ImportSummary{}, err
	}
	rows, err := datasetRows(ds)
	if err != nil {
		return ImportSummary{}, err
	}
	migrations, err := s.Migrate(ctx)
	if err != nil {
		return ImportSummary{}, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Progress == nil {
		opts.Progress = func(Progress) {}
	}
	sess := s.session(ctx, neo4jdrv.AccessModeWrite)
	defer sess.Close(ctx)
	sum, err := neo4jdrv.ExecuteWrite(ctx, sess, func(tx neo4jdrv.ManagedTransaction) (ImportSummary, error) {
		// The driver retries this function on transient errors: start
		// from scratch each time.
		im := importer{store: s, tx: tx, opts: opts}
		sum, err := im.run(ctx, rows)
		if err != nil {
			return sum, err
		}
		return sum, im.record(ctx, ds)
	})
	if err != nil {
		return ImportSummary{}, err
	}
	sum.Migrations = migrations
	for _, c := range ds.Comuni {
		if c.Latitude == nil || c.Longitude == nil {
			sum.ComuniWithoutCoordinates++
		}
	}
	sum.Pruned = opts.Prune
	sum.Elapsed = time.Since(start)
	return sum, nil
}

type importer struct {
	store   *Store
	tx      neo4jdrv.ManagedTransaction
	opts    ImportOptions
	emptyDB bool     // the database held nothing when the import started
	audit   *writeTx // holds the audit counter's lock from the start of run
}

// record appends the import's audit entry (pcnet.ImportChange), advances
// the counter and releases its lock, in the import's transaction: a
// response cache keyed by the audit Seq sees the import when it commits.
func (im *importer) record(ctx context.Context, ds pcnet.Dataset) error {
	w := im.audit
	at := time.Now()
	if w.counter.at.After(at) { // never before the last entry, whichever server's clock wrote it
		at = w.counter.at
	}
	changes := []pcnet.Change{pcnet.ImportChange(ds)}
	last := pcnet.StampChanges(ctx, changes, w.counter.seq, at)
	plan := writePlan{items: itemWrite{what: "items", cypher: "\n\t\t\tRETURN 0 AS written"}, changes: changes}
	if err := w.apply("import", plan, last); err != nil {
		return fmt.Errorf("neo4j: recording the import in the audit trail: %w", err)
	}
	return nil
}

// empty reports whether the database holds no node at all.
func (im *importer) empty(ctx context.Context) (bool, error) {
	im.store.queries.Add(1)
	res, err := im.tx.Run(ctx, "MATCH (n) RETURN count(n) = 0", nil)
	if err != nil {
		return false, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return false, err
	}
	empty, _ := rec.Values[0].(bool)
	return empty, nil
}

func (im *importer) run(ctx context.Context, rows map[*entityKind][]row) (ImportSummary, error) {
	var sum ImportSummary
	counts := make(map[*entityKind]*EntityCount)
	missing := make(map[*entityKind][]row)
	// Into an empty database there is nothing to compare with: skip the
	// reads (the count comes from the count store, at no cost).
	empty, err := im.empty(ctx)
	if err != nil {
		return sum, fmt.Errorf("neo4j: %w", err)
	}
	im.emptyDB = empty
	// Then take the audit counter's lock, as every write does first: writes
	// wait for the import and plan against what it committed, and the
	// import's entry (record) gets the next Seq.
	im.audit = &writeTx{ctx: ctx, store: im.store, tx: im.tx}
	if _, err := im.audit.lockAndRead("true", map[string]any{}); err != nil {
		return sum, fmt.Errorf("neo4j: locking the audit counter: %w", err)
	}
	for _, k := range importKinds {
		c, miss, err := im.upsert(ctx, k, rows[k])
		if err != nil {
			return sum, fmt.Errorf("neo4j: importing %s: %w", k.name, err)
		}
		counts[k], missing[k] = &c, miss
	}
	// Network entities first, last kind first, so that pruning a service
	// frees its coverages and Comuni before the geography is looked at.
	for _, k := range slices.Backward(importKinds) {
		if k.geography || !im.opts.Prune || len(missing[k]) == 0 {
			continue
		}
		c, err := im.write(ctx, k.remove, missing[k])
		if err != nil {
			return sum, fmt.Errorf("neo4j: pruning %s: %w", k.name, err)
		}
		counts[k].Deleted = deleted(k, c)
	}
	// Then the geography: Comuni before their Provinces before regions.
	for _, k := range []*entityKind{&comuneKind, &provinceKind, &regionKind} {
		if len(missing[k]) == 0 {
			continue
		}
		c, err := im.write(ctx, k.remove, missing[k])
		if err != nil {
			return sum, fmt.Errorf("neo4j: removing %s: %w", k.name, err)
		}
		retired, err := im.retire(ctx, k, missing[k])
		if err != nil {
			return sum, fmt.Errorf("neo4j: retiring %s: %w", k.name, err)
		}
		counts[k].Deleted = deleted(k, c)
		counts[k].Retired = len(retired)
		sum.Retired = append(sum.Retired, retired...)
	}
	for _, k := range importKinds {
		sum.Entities = append(sum.Entities, *counts[k])
	}
	return sum, nil
}

// upsert makes the database hold rows of kind k and returns the existing
// entities that rows don't list.
func (im *importer) upsert(ctx context.Context, k *entityKind, rows []row) (EntityCount, []row, error) {
	count := EntityCount{Entity: k.name}
	existing, err := im.readAll(ctx, k)
	if err != nil {
		return count, nil, err
	}
	var create, update []row
	listed := make(map[string]bool, len(rows))
	for _, r := range rows {
		listed[r.key] = true
		old, ok := existing[r.key]
		switch {
		case !ok:
			create = append(create, r)
		case !sameRow(old, r):
			update = append(update, r)
		}
	}
	var missing []row
	for key, old := range existing {
		if !listed[key] {
			missing = append(missing, old)
		}
	}
	slices.SortFunc(missing, func(a, b row) int { return strings.Compare(a.key, b.key) })
	count.Created, count.Updated = len(create), len(update)
	count.Unchanged = len(rows) - len(create) - len(update)
	count.Missing = len(missing)

	done := count.Unchanged
	im.opts.Progress(Progress{Entity: k.name, Done: done, Total: len(rows)})
	for _, job := range []struct {
		query  string
		rows   []row
		create bool
	}{{k.update, update, false}, {k.create, create, true}} {
		for batch := range slices.Chunk(job.rows, im.opts.BatchSize) {
			c, err := im.write(ctx, job.query, batch)
			if err != nil {
				return count, nil, err
			}
			if job.create {
				if err := checkCreated(k, batch, c); err != nil {
					return count, nil, err
				}
			}
			done += len(batch)
			im.opts.Progress(Progress{Entity: k.name, Done: done, Total: len(rows)})
		}
	}
	return count, missing, nil
}

// checkCreated checks that creating rows made one node (or relationship)
// per row and one relationship per link. Validation makes every link
// resolve, so a shortfall is a bug, and the transaction is rolled back
// rather than leaving entities unlinked.
func checkCreated(k *entityKind, rows []row, c neo4jdrv.Counters) error {
	wantNodes, wantRels := 0, 0
	if k.label == "" {
		wantRels = len(rows)
	} else {
		wantNodes = len(rows)
		for _, r := range rows {
			for _, v := range r.links {
				if v != nil {
					wantRels++
				}
			}
		}
	}
	if c.NodesCreated() != wantNodes || c.RelationshipsCreated() != wantRels {
		return fmt.Errorf("created %d nodes and %d relationships for %d rows, want %d and %d",
			c.NodesCreated(), c.RelationshipsCreated(), len(rows), wantNodes, wantRels)
	}
	return nil
}

// readAll returns the existing entities of kind k by key.
func (im *importer) readAll(ctx context.Context, k *entityKind) (map[string]row, error) {
	if im.emptyDB {
		return nil, nil
	}
	im.store.queries.Add(1)
	res, err := im.tx.Run(ctx, k.readAll, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]row)
	var rd reader
	for res.Next(ctx) {
		v := res.Record().Values
		r := row{key: rd.str(v[0]), props: rd.dict(v[1]), links: rd.dict(v[2])}
		out[r.key] = r
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	return out, rd.err
}

// write runs a write query over rows and returns its counters.
func (im *importer) write(ctx context.Context, query string, rows []row) (neo4jdrv.Counters, error) {
	params := make([]any, len(rows))
	for i, r := range rows {
		params[i] = r.param()
	}
	im.store.queries.Add(1)
	res, err := im.tx.Run(ctx, query, map[string]any{"rows": params})
	if err != nil {
		return nil, err
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		return nil, err
	}
	return sum.Counters(), nil
}

// deleted returns the number of entities of kind k that counters say were
// deleted.
func deleted(k *entityKind, c neo4jdrv.Counters) int {
	if k.label == "" {
		return c.RelationshipsDeleted()
	}
	return c.NodesDeleted()
}

// retire flags the geography nodes of rows that are still there and
// returns them.
func (im *importer) retire(ctx context.Context, k *entityKind, rows []row) ([]RetiredNode, error) {
	params := make([]any, len(rows))
	for i, r := range rows {
		params[i] = r.param()
	}
	im.store.queries.Add(1)
	res, err := im.tx.Run(ctx, k.retire, map[string]any{"rows": params})
	if err != nil {
		return nil, err
	}
	var out []RetiredNode
	var rd reader
	for res.Next(ctx) {
		v := res.Record().Values
		out = append(out, RetiredNode{Label: k.label, Code: rd.str(v[0]), Name: rd.str(v[1])})
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b RetiredNode) int { return strings.Compare(a.Code, b.Code) })
	return out, rd.err
}

// datasetRows turns ds into rows of each kind. It rejects keys listed twice
// (possible only for tutorships, which Validate doesn't key).
func datasetRows(ds pcnet.Dataset) (map[*entityKind][]row, error) {
	out := make(map[*entityKind][]row)
	add := func(k *entityKind, r row) { out[k] = append(out[k], r) }
	for _, r := range ds.Regions {
		add(&regionKind, row{key: r.Code, props: map[string]any{"code": r.Code, "name": r.Name}})
	}
	for _, p := range ds.Provinces {
		add(&provinceKind, row{key: p.Code, props: map[string]any{
			"code": p.Code, "historicCode": p.HistoricCode, "plateCode": p.PlateCode, "name": p.Name, "kind": string(p.Kind),
		}, links: map[string]any{"region": p.RegionCode}})
	}
	for _, c := range ds.Comuni {
		props := map[string]any{
			"code": c.Code, "cadastralCode": c.CadastralCode,
			"name": c.Name, "nameItalian": c.NameItalian, "nameOther": c.NameOther,
			"searchName": SearchName(c),
			"capital":    c.Capital, "population": int64(c.Population),
		}
		if c.Retired {
			props["retired"] = true // as Import's retire writes it
		}
		if c.Latitude != nil && c.Longitude != nil {
			props["location"] = dbtype.Point2D{X: *c.Longitude, Y: *c.Latitude, SpatialRefId: wgs84}
		}
		add(&comuneKind, row{key: c.Code, props: props, links: map[string]any{"province": c.ProvinceCode}})
	}
	for _, s := range ds.Sectors {
		add(&sectorKind, row{key: s.Code, props: map[string]any{"code": s.Code, "name": s.Name, "description": s.Description}})
		for _, a := range s.Areas {
			add(&areaKind, row{key: a.Code, props: map[string]any{
				"code": a.Code, "name": a.Name, "description": a.Description,
			}, links: map[string]any{"sector": s.Code}})
		}
	}
	for _, s := range ds.Services {
		add(&serviceKind, row{key: s.ID, props: map[string]any{
			"id": s.ID, "name": s.Name, "description": s.Description, "status": string(s.Status), "startDate": dateParam(s.StartDate),
		}, links: map[string]any{"provider": s.ProviderCode, "area": s.AreaCode}})
	}
	for _, c := range ds.Coverages {
		props := map[string]any{"since": dateParam(c.Since), "phase": string(c.Phase)}
		if !c.Until.IsZero() {
			props["until"] = dateParam(c.Until)
		}
		add(&coverageKind, row{
			key:   c.ServiceID + "|" + c.ComuneCode + "|" + c.Since.String(),
			props: props, links: map[string]any{"service": c.ServiceID, "comune": c.ComuneCode},
		})
	}
	for _, t := range ds.Tutorships {
		props := tutorshipProps(t) // as the writes set them, so a re-import finds nothing to change
		add(&tutorshipKind, row{
			key:   t.TutorCode + "|" + t.TutoredCode + "|" + t.SectorCode + "|" + t.Since.String(),
			props: props, links: map[string]any{"tutor": t.TutorCode, "tutored": t.TutoredCode},
		})
	}
	for _, w := range ds.ProjectWorks {
		add(&projectWorkKind, row{key: w.ID, props: map[string]any{
			"id": w.ID, "title": w.Title, "maturity": string(w.Maturity), "step": int64(w.Step), "year": int64(w.Year),
		}, links: map[string]any{"province": w.ProvinceCode, "area": w.AreaCode, "service": stringParam(w.ServiceID)}})
		if w.ModelFromID != "" {
			add(&projectWorkModelKind, row{key: w.ID, props: map[string]any{}, links: map[string]any{"model": w.ModelFromID}})
		}
	}
	programmeRows(ds.Programme, add) // programme.go
	for k, rows := range out {
		seen := make(map[string]bool, len(rows))
		for _, r := range rows {
			if seen[r.key] {
				return nil, pcnet.Errorf(pcnet.EINVALID, "%s: %s listed twice", k.name, r.key)
			}
			seen[r.key] = true
		}
	}
	return out, nil
}

// SearchName is the folded text that name searches look in: the official,
// Italian and other-language names of c, each folded by pcnet.FoldName, one
// per line. The import stores it on each Comune so that the database folds
// exactly as Go does. The lines stay apart so that a search matches within
// one name, as the embedded store does: the text index finds the Comuni
// whose SearchName contains the needle, and a check of each line drops
// those where it only spans two names.
func SearchName(c pcnet.Comune) string {
	return pcnet.FoldName(c.Name) + searchNameSeparator + pcnet.FoldName(c.NameItalian) + searchNameSeparator + pcnet.FoldName(c.NameOther)
}

// searchNameSeparator separates the names in SearchName; the Comuni query
// splits on it ('\n' in Cypher).
const searchNameSeparator = "\n"
