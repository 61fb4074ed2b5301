package memory

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

// The durable store keeps the network and the audit trail in a bbolt file,
// DataFile in the data directory. The geography is not stored: it comes
// with the binary (the seed dataset) and is immutable, so the file records
// only a fingerprint of the geography it was seeded with, and Open refuses
// a seed with another geography rather than lay the stored network over
// Comuni it was not written for.
//
// Layout: one bucket per kind of item, each record a JSON object in the
// field names of the network file format (internal/network), keyed so that
// bbolt's byte order is the store order:
//
//	meta          "format" → "1", "geography" → hex SHA-256, "seeded" → RFC 3339 time
//	sectors       code → sector with its areas
//	services      ID → service
//	coverages     serviceID NUL comuneCode NUL since → coverage
//	tutorships    sector NUL tutor NUL tutored NUL since → tutorship
//	projectWorks  ID → project work
//	changes       Seq as 8 bytes big-endian → audit entry
//	idempotency   caller NUL key → pcnet.IdempotencyRecord (issue 12): the
//	              key of a write, committed with its audit entries
//	participations  sector NUL province NUL since → participation (JSON of pcnet.Participation)
//	exceptions    sector NUL province → admin's participation exception (JSON)
//	sections      projectWorkID NUL section → project work section (JSON of pcnet.ProjectWorkSection)
//	rolloutTargets  serviceID NUL comuneCode → rollout target (JSON of pcnet.RolloutTarget)
//	materials     ID → material (JSON of pcnet.Material)
//
// participations holds the programme's participation records once a file
// is seeded or opened by this version (the seed's are copied in when it
// is empty), so recorded and ended participations survive a restart.
// sections, rolloutTargets and materials hold those lists of the
// programme, which writes change too: the seed's are copied in once, by
// the first version that has them (meta "programme" records it; a plan
// cleared to nothing must not come back from the seed).
//
// Each write is one bbolt read-write transaction holding its items and its
// audit entries; bbolt fsyncs it on commit, before the write is applied in
// memory and acknowledged. After a crash the file holds every committed
// write and nothing of the others.

// DataFile is the name of the bbolt file in a data directory.
const DataFile = "pcnet.db"

// formatVersion is the layout above; Open refuses files of other versions.
const formatVersion = "1"

var (
	bucketMeta         = []byte("meta")
	bucketSectors      = []byte("sectors")
	bucketServices     = []byte("services")
	bucketCoverages    = []byte("coverages")
	bucketTutorships   = []byte("tutorships")
	bucketProjectWorks = []byte("projectWorks")
	bucketChanges      = []byte("changes")
	// Added to format 1 without a new version: load creates them in a file
	// that lacks them, and an older pcnet ignores them.
	bucketIdempotency    = []byte("idempotency")
	bucketParticipations = []byte("participations")
	bucketExceptions     = []byte("exceptions")
	bucketSections       = []byte("sections")
	bucketRolloutTargets = []byte("rolloutTargets")
	bucketMaterials      = []byte("materials")
	allBuckets           = [][]byte{bucketMeta, bucketSectors, bucketServices, bucketCoverages, bucketTutorships, bucketProjectWorks, bucketChanges,
		bucketIdempotency, bucketParticipations, bucketExceptions, bucketSections, bucketRolloutTargets, bucketMaterials}

	keyFormat    = []byte("format")
	keyGeography = []byte("geography")
	keySeeded    = []byte("seeded")
	keyProgramme = []byte("programme")
)

// lockTimeout bounds the wait for the data file's lock, which another
// process holding the directory keeps.
const lockTimeout = time.Second

// disk is the durable part of a store.
type disk struct {
	db   *bolt.DB
	path string
}

// DefaultDataDir returns the data directory `pcnet serve` uses unless told
// otherwise: $XDG_DATA_HOME/pcnet when XDG_DATA_HOME is set to an absolute
// path, else ~/.local/share/pcnet (the XDG default), or "" when the home
// directory is unknown.
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "pcnet")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "share", "pcnet")
	}
	return ""
}

// Open opens the durable store in the data directory dir, creating the
// directory (mode 0700) and its DataFile as needed. On the first start it
// seeds the file with seed's network (sectors, services, coverages,
// tutorships, project works) and a fingerprint of seed's geography; later
// starts load the stored network, lay it over seed's geography and ignore
// seed's network. Open fails when the directory is in use by another
// process, when seed's geography differs from the one the file was seeded
// with, or when the stored network doesn't validate against it.
//
// Writes commit to the file before they are applied and acknowledged.
// Close the store to release the directory.
func Open(dir string, seed pcnet.Dataset) (*Store, error) {
	if dir == "" {
		return nil, errors.New("memory: no data directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("memory: creating the data directory: %w", err)
	}
	path := filepath.Join(dir, DataFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("memory: data directory %s is in use by another process", dir)
	} else if err != nil {
		return nil, fmt.Errorf("memory: opening %s: %w", path, err)
	}
	dk := &disk{db: db, path: path}
	d, err := dk.load(seed)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("memory: %s: %w", path, err)
	}
	return &Store{d: d, disk: dk}, nil
}

// Close releases the data directory of a durable store; later writes fail.
// Reads keep answering from memory. Closing an ephemeral store does nothing.
func (s *Store) Close() error {
	if s.disk == nil {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.disk.db.Close()
}

// DataDir returns the data directory of a durable store, "" for an
// ephemeral one.
func (s *Store) DataDir() string {
	if s.disk == nil {
		return ""
	}
	return filepath.Dir(s.disk.path)
}

// load seeds an empty file or reads a seeded one, and returns the
// snapshot to start from.
func (dk *disk) load(seed pcnet.Dataset) (*data, error) {
	fingerprint := geographyFingerprint(seed.Geography)
	var ds pcnet.Dataset
	var lastSeq int64
	var exceptions []pcnet.ParticipationException
	seeded := false
	err := dk.db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get(keyFormat) == nil {
			if err := seed.Validate(); err != nil {
				return fmt.Errorf("invalid seed dataset: %w", err)
			}
			seeded = true
			ds = seed
			return seedFile(tx, seed, fingerprint)
		}
		if v := string(meta.Get(keyFormat)); v != formatVersion {
			return fmt.Errorf("data format %q, this pcnet reads %q", v, formatVersion)
		}
		stored := string(meta.Get(keyGeography))
		if stored != fingerprint && stored == legacyGeographyFingerprint(seed.Geography) {
			// Seeded before the fingerprint was derived: same geography, new fingerprint.
			if err := meta.Put(keyGeography, []byte(fingerprint)); err != nil {
				return err
			}
			stored = fingerprint
		}
		if stored != fingerprint {
			return fmt.Errorf("the data directory was seeded with another geography (fingerprint %.12s…, now %.12s…): "+
				"its network may refer to Comuni this pcnet doesn't know; use a new data directory and re-enter or import the network", stored, fingerprint)
		}
		n, err := readNetwork(tx)
		if err != nil {
			return err
		}
		ds = pcnet.Dataset{Geography: seed.Geography, Network: n}
		// The programme comes from the seed but for the participations,
		// which writes change: the stored ones (the seed's copied in by a
		// file seeded before they were stored).
		ds.Programme = seed.Programme
		parts := tx.Bucket(bucketParticipations)
		if k, _ := parts.Cursor().First(); k == nil {
			if err := putItems(tx, mutation{participations: seed.Participations}); err != nil {
				return err
			}
		}
		if ds.Participations, err = readJSON[pcnet.Participation](tx, bucketParticipations); err != nil {
			return err
		}
		if exceptions, err = readJSON[pcnet.ParticipationException](tx, bucketExceptions); err != nil {
			return err
		}
		if meta.Get(keyProgramme) == nil {
			if err := putProgramme(tx, seed.Programme); err != nil {
				return err
			}
		}
		if ds.Sections, err = readJSON[pcnet.ProjectWorkSection](tx, bucketSections); err != nil {
			return err
		}
		if ds.RolloutTargets, err = readJSON[pcnet.RolloutTarget](tx, bucketRolloutTargets); err != nil {
			return err
		}
		if ds.Materials, err = readJSON[pcnet.Material](tx, bucketMaterials); err != nil {
			return err
		}
		if k, _ := tx.Bucket(bucketChanges).Cursor().Last(); k != nil {
			lastSeq = int64(binary.BigEndian.Uint64(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !seeded {
		if err := ds.Validate(); err != nil {
			return nil, fmt.Errorf("the stored network doesn't validate: %w", err)
		}
	}
	d := index(ds)
	d.lastSeq = lastSeq
	d.exceptions = exceptions
	return d, nil
}

func seedFile(tx *bolt.Tx, seed pcnet.Dataset, fingerprint string) error {
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(keyFormat, []byte(formatVersion)); err != nil {
		return err
	}
	if err := meta.Put(keyGeography, []byte(fingerprint)); err != nil {
		return err
	}
	if err := meta.Put(keySeeded, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	for _, s := range seed.Sectors {
		if err := putRecord(tx.Bucket(bucketSectors), []byte(s.Code), s); err != nil {
			return err
		}
	}
	if err := putProgramme(tx, seed.Programme); err != nil {
		return err
	}
	return putItems(tx, mutation{
		services:       seed.Services,
		coverages:      seed.Coverages,
		tutorships:     seed.Tutorships,
		projectWorks:   seed.ProjectWorks,
		participations: seed.Participations,
	})
}

// putProgramme stores the programme's written lists of p and marks them
// stored (keyProgramme).
func putProgramme(tx *bolt.Tx, p pcnet.Programme) error {
	if err := putItems(tx, mutation{sections: p.Sections, materials: p.Materials}); err != nil {
		return err
	}
	for _, r := range p.RolloutTargets {
		if err := putJSON(tx.Bucket(bucketRolloutTargets), joinKey(r.ServiceID, r.ComuneCode), r); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyProgramme, []byte("1"))
}

// commit writes m in one transaction, fsync'd when it returns nil.
func (dk *disk) commit(m mutation) error {
	return dk.db.Update(func(tx *bolt.Tx) error {
		if err := putItems(tx, m); err != nil {
			return err
		}
		changes := tx.Bucket(bucketChanges)
		for _, c := range m.changes {
			if err := putJSON(changes, seqKey(c.Seq), changeRecord(c)); err != nil {
				return err
			}
		}
		if r := m.idempotency; r != nil {
			return putJSON(tx.Bucket(bucketIdempotency), []byte(r.ID()), r)
		}
		return nil
	})
}

// importNetwork replaces the stored network and participations with ds's
// and records the import's audit entry, in one transaction (fsync'd when
// it returns nil). ds's geography must be the one the file was seeded
// with: the network is stored without it.
func (dk *disk) importNetwork(ds pcnet.Dataset, change pcnet.Change) error {
	fingerprint := geographyFingerprint(ds.Geography)
	return dk.db.Update(func(tx *bolt.Tx) error {
		if stored := string(tx.Bucket(bucketMeta).Get(keyGeography)); stored != fingerprint {
			return pcnet.Invalidf("geography", "the data directory was seeded with another geography (fingerprint %.12s…, the import's %.12s…): "+
				"the embedded store imports a network over the geography it was seeded with", stored, fingerprint)
		}
		for _, name := range [][]byte{bucketSectors, bucketServices, bucketCoverages, bucketTutorships, bucketProjectWorks, bucketParticipations} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		for _, s := range ds.Sectors {
			if err := putRecord(tx.Bucket(bucketSectors), []byte(s.Code), s); err != nil {
				return err
			}
		}
		if err := putItems(tx, mutation{
			services: ds.Services, coverages: ds.Coverages, tutorships: ds.Tutorships,
			projectWorks: ds.ProjectWorks, participations: ds.Participations,
		}); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketChanges), seqKey(change.Seq), changeRecord(change))
	})
}

// idempotencyRecord reads the kept record with the ID, if any.
func (dk *disk) idempotencyRecord(id string) (pcnet.IdempotencyRecord, bool, error) {
	var r pcnet.IdempotencyRecord
	found := false
	err := dk.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdempotency).Get([]byte(id))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return r, false, fmt.Errorf("memory: reading an idempotency key in %s: %w", dk.path, err)
	}
	return r, found, nil
}

func putItems(tx *bolt.Tx, m mutation) error {
	for _, s := range m.services {
		if err := putRecord(tx.Bucket(bucketServices), []byte(s.ID), s); err != nil {
			return err
		}
	}
	for _, c := range m.coverages {
		if err := putRecord(tx.Bucket(bucketCoverages), coverageKeyBytes(c), c); err != nil {
			return err
		}
	}
	for _, t := range m.tutorships {
		if err := putRecord(tx.Bucket(bucketTutorships), tutorshipKeyBytes(t), t); err != nil {
			return err
		}
	}
	for _, w := range m.projectWorks {
		if err := putRecord(tx.Bucket(bucketProjectWorks), []byte(w.ID), w); err != nil {
			return err
		}
	}
	for _, p := range m.participations {
		if err := putJSON(tx.Bucket(bucketParticipations), joinKey(p.SectorCode, p.ProvinceCode, p.Since.String()), p); err != nil {
			return err
		}
	}
	for _, e := range m.exceptions {
		if err := putJSON(tx.Bucket(bucketExceptions), joinKey(e.SectorCode, e.ProvinceCode), e); err != nil {
			return err
		}
	}
	for _, x := range m.sections {
		if err := putJSON(tx.Bucket(bucketSections), joinKey(x.ProjectWorkID, string(x.Section)), x); err != nil {
			return err
		}
	}
	for _, x := range m.materials {
		if err := putJSON(tx.Bucket(bucketMaterials), []byte(x.ID), x); err != nil {
			return err
		}
	}
	if p := m.rolloutPlan; p != nil {
		b := tx.Bucket(bucketRolloutTargets)
		prefix := joinKey(p.serviceID, "")
		c := b.Cursor()
		// Seek again after each Delete: advancing a bbolt cursor past a deleted key can skip one.
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		for _, r := range p.targets {
			if err := putJSON(b, joinKey(r.ServiceID, r.ComuneCode), r); err != nil {
				return err
			}
		}
	}
	return nil
}

// readJSON decodes every record of bucket, stored by putJSON.
func readJSON[T any](tx *bolt.Tx, bucket []byte) ([]T, error) {
	var out []T
	err := tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var item T
		if err := json.Unmarshal(v, &item); err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		out = append(out, item)
		return nil
	})
	return out, err
}

// changes returns the audit entries f selects among those up to lastSeq,
// oldest first.
func (dk *disk) changes(f pcnet.ChangeFilter, lastSeq int64) ([]pcnet.Change, error) {
	out := []pcnet.Change{}
	err := dk.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketChanges).Cursor()
		for k, v := cur.Seek(seqKey(f.AfterSeq + 1)); k != nil; k, v = cur.Next() {
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
			var r changeJSON
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("change %x: %w", k, err)
			}
			c, err := r.change()
			if err != nil {
				return fmt.Errorf("change %x: %w", k, err)
			}
			if c.Seq > lastSeq {
				break // committed, not yet applied in memory
			}
			if f.Match(c) {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("memory: reading the audit trail of %s: %w", dk.path, err)
	}
	return out, nil
}

// readNetwork reads the stored network, each list in key order.
func readNetwork(tx *bolt.Tx) (pcnet.Network, error) {
	var n pcnet.Network
	var err error
	if n.Sectors, err = readAll[pcnet.Sector](tx, bucketSectors); err != nil {
		return n, err
	}
	if n.Services, err = readAll[pcnet.SharedService](tx, bucketServices); err != nil {
		return n, err
	}
	if n.Coverages, err = readAll[pcnet.Coverage](tx, bucketCoverages); err != nil {
		return n, err
	}
	if n.Tutorships, err = readAll[pcnet.Tutorship](tx, bucketTutorships); err != nil {
		return n, err
	}
	if n.ProjectWorks, err = readAll[pcnet.ProjectWork](tx, bucketProjectWorks); err != nil {
		return n, err
	}
	return n, nil
}

// readAll decodes every record of bucket with the network format's codec.
func readAll[T network.Record](tx *bolt.Tx, bucket []byte) ([]T, error) {
	var out []T
	err := tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		item, err := network.UnmarshalRecord[T](v)
		if err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		out = append(out, item)
		return nil
	})
	return out, err
}

// putRecord stores v under key in the network format's JSON shape.
func putRecord[T network.Record](b *bolt.Bucket, key []byte, v T) error {
	value, err := network.MarshalRecord(v)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	value, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func coverageKeyBytes(c pcnet.Coverage) []byte {
	return joinKey(c.ServiceID, c.ComuneCode, c.Since.String())
}

func tutorshipKeyBytes(t pcnet.Tutorship) []byte {
	return joinKey(t.SectorCode, t.TutorCode, t.TutoredCode, t.Since.String())
}

// joinKey joins key parts with NUL, which sorts before every other byte,
// so the keys sort part by part like the store order.
func joinKey(parts ...string) []byte {
	return []byte(strings.Join(parts, "\x00"))
}

// geographyFingerprint is a SHA-256 of the geography's JSON encoding, in
// code order. Derived from the types, not from a list of fields: a field
// added to Region, Province or Comune changes it without an edit here.
func geographyFingerprint(g pcnet.Geography) string {
	sorted := pcnet.Geography{
		Regions:   slices.SortedFunc(slices.Values(g.Regions), func(a, b pcnet.Region) int { return strings.Compare(a.Code, b.Code) }),
		Provinces: slices.SortedFunc(slices.Values(g.Provinces), func(a, b pcnet.Province) int { return strings.Compare(a.Code, b.Code) }),
		Comuni:    slices.SortedFunc(slices.Values(g.Comuni), func(a, b pcnet.Comune) int { return strings.Compare(a.Code, b.Code) }),
	}
	b, err := json.Marshal(sorted)
	if err != nil {
		panic("memory: the geography types don't encode as JSON: " + err.Error()) // plain data: can't happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// legacyGeographyFingerprint is the fingerprint data directories were
// seeded with before it was derived from the encoded geography. Frozen: it
// only recognises those directories (load migrates them); never add fields.
func legacyGeographyFingerprint(g pcnet.Geography) string {
	h := sha256.New()
	field := func(fields ...string) {
		for _, f := range fields {
			h.Write([]byte(f))
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{0x1e})
	}
	regions := slices.SortedFunc(slices.Values(g.Regions), func(a, b pcnet.Region) int { return strings.Compare(a.Code, b.Code) })
	for _, r := range regions {
		field("region", r.Code, r.Name)
	}
	provinces := slices.SortedFunc(slices.Values(g.Provinces), func(a, b pcnet.Province) int { return strings.Compare(a.Code, b.Code) })
	for _, p := range provinces {
		field("province", p.Code, p.HistoricCode, p.PlateCode, p.Name, string(p.Kind), p.RegionCode)
	}
	comuni := slices.SortedFunc(slices.Values(g.Comuni), func(a, b pcnet.Comune) int { return strings.Compare(a.Code, b.Code) })
	coord := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	for _, c := range comuni {
		field("comune", c.Code, c.CadastralCode, c.Name, c.NameItalian, c.NameOther, c.ProvinceCode, c.RegionCode,
			strconv.FormatBool(c.Capital), strconv.Itoa(c.Population), coord(c.Latitude), coord(c.Longitude))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// The network's records (sectors, services, coverages, tutorships, project
// works) are stored in the network file format's JSON shapes, through
// network.MarshalRecord and UnmarshalRecord. The audit trail is the store's
// own and has its record type here.

type changeJSON struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"` // RFC 3339, UTC, milliseconds
	Actor    string `json:"actor"`
	Entity   string `json:"entity"`
	EntityID string `json:"entityId"`
	Action   string `json:"action"`
	Summary  string `json:"summary"`
}

const changeTimeLayout = "2006-01-02T15:04:05.000Z07:00"

func changeRecord(c pcnet.Change) changeJSON {
	return changeJSON{c.Seq, c.At.UTC().Format(changeTimeLayout), c.Actor, c.Entity, c.EntityID, c.Action, c.Summary}
}

func (r *changeJSON) change() (pcnet.Change, error) {
	at, err := time.Parse(changeTimeLayout, r.At)
	return pcnet.Change{Seq: r.Seq, At: at.UTC(), Actor: r.Actor, Entity: r.Entity, EntityID: r.EntityID,
		Action: r.Action, Summary: r.Summary}, err
}
