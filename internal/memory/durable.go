package memory

import (
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
	allBuckets         = [][]byte{bucketMeta, bucketSectors, bucketServices, bucketCoverages, bucketTutorships, bucketProjectWorks, bucketChanges}

	keyFormat    = []byte("format")
	keyGeography = []byte("geography")
	keySeeded    = []byte("seeded")
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
		if stored := string(meta.Get(keyGeography)); stored != fingerprint {
			return fmt.Errorf("the data directory was seeded with another geography (fingerprint %.12s…, now %.12s…): "+
				"its network may refer to Comuni this pcnet doesn't know; use a new data directory and re-enter or import the network", stored, fingerprint)
		}
		n, err := readNetwork(tx)
		if err != nil {
			return err
		}
		ds = pcnet.Dataset{Geography: seed.Geography, Network: n}
		// The programme has no writes yet: it comes from the seed.
		ds.Programme = seed.Programme
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
		if err := putJSON(tx.Bucket(bucketSectors), []byte(s.Code), sectorRecord(s)); err != nil {
			return err
		}
	}
	return putItems(tx, mutation{
		services:     seed.Services,
		coverages:    seed.Coverages,
		tutorships:   seed.Tutorships,
		projectWorks: seed.ProjectWorks,
	})
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
		return nil
	})
}

func putItems(tx *bolt.Tx, m mutation) error {
	for _, s := range m.services {
		if err := putJSON(tx.Bucket(bucketServices), []byte(s.ID), serviceRecord(s)); err != nil {
			return err
		}
	}
	for _, c := range m.coverages {
		if err := putJSON(tx.Bucket(bucketCoverages), coverageKeyBytes(c), coverageRecord(c)); err != nil {
			return err
		}
	}
	for _, t := range m.tutorships {
		if err := putJSON(tx.Bucket(bucketTutorships), tutorshipKeyBytes(t), tutorshipRecord(t)); err != nil {
			return err
		}
	}
	for _, w := range m.projectWorks {
		if err := putJSON(tx.Bucket(bucketProjectWorks), []byte(w.ID), projectWorkRecord(w)); err != nil {
			return err
		}
	}
	return nil
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
	if n.Sectors, err = readAll(tx, bucketSectors, (*sectorJSON).sector); err != nil {
		return n, err
	}
	if n.Services, err = readAll(tx, bucketServices, (*serviceJSON).service); err != nil {
		return n, err
	}
	if n.Coverages, err = readAll(tx, bucketCoverages, (*coverageJSON).coverage); err != nil {
		return n, err
	}
	if n.Tutorships, err = readAll(tx, bucketTutorships, (*tutorshipJSON).tutorship); err != nil {
		return n, err
	}
	if n.ProjectWorks, err = readAll(tx, bucketProjectWorks, (*projectWorkJSON).projectWork); err != nil {
		return n, err
	}
	return n, nil
}

func readAll[R any, T any](tx *bolt.Tx, bucket []byte, convert func(*R) (T, error)) ([]T, error) {
	var out []T
	err := tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		var r R
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		item, err := convert(&r)
		if err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		out = append(out, item)
		return nil
	})
	return out, err
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

// geographyFingerprint is a SHA-256 of every field of the geography, in
// code order.
func geographyFingerprint(g pcnet.Geography) string {
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

// Records, in the field names of the network file format.

type sectorJSON struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Areas       []areaJSON `json:"areas"`
}

type areaJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type serviceJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	ProviderCode string `json:"providerCode"`
	AreaCode     string `json:"areaCode"`
	Status       string `json:"status"`
	StartDate    string `json:"startDate"`
}

type coverageJSON struct {
	ServiceID  string `json:"serviceId"`
	ComuneCode string `json:"comuneCode"`
	Since      string `json:"since"`
	Until      string `json:"until,omitempty"`
	Phase      string `json:"phase"`
}

type tutorshipJSON struct {
	TutorCode   string `json:"tutorCode"`
	TutoredCode string `json:"tutoredCode"`
	SectorCode  string `json:"sectorCode"`
	Since       string `json:"since"`
	Until       string `json:"until,omitempty"`
	Step        int    `json:"step"`
}

type projectWorkJSON struct {
	ID           string `json:"id"`
	ProvinceCode string `json:"provinceCode"`
	AreaCode     string `json:"areaCode"`
	Title        string `json:"title"`
	Maturity     string `json:"maturity"`
	Step         int    `json:"step"`
	Year         int    `json:"year"`
	ServiceID    string `json:"serviceId,omitempty"`
}

type changeJSON struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"` // RFC 3339, UTC, milliseconds
	Actor    string `json:"actor"`
	Entity   string `json:"entity"`
	EntityID string `json:"entityId"`
	Action   string `json:"action"`
	Summary  string `json:"summary"`
}

func sectorRecord(s pcnet.Sector) sectorJSON {
	r := sectorJSON{Code: s.Code, Name: s.Name, Description: s.Description, Areas: []areaJSON{}}
	for _, a := range s.Areas {
		r.Areas = append(r.Areas, areaJSON{Code: a.Code, Name: a.Name, Description: a.Description})
	}
	return r
}

func (r *sectorJSON) sector() (pcnet.Sector, error) {
	s := pcnet.Sector{Code: r.Code, Name: r.Name, Description: r.Description}
	for _, a := range r.Areas {
		s.Areas = append(s.Areas, pcnet.Area{Code: a.Code, SectorCode: r.Code, Name: a.Name, Description: a.Description})
	}
	return s, nil
}

func serviceRecord(s pcnet.SharedService) serviceJSON {
	return serviceJSON{s.ID, s.Name, s.Description, s.ProviderCode, s.AreaCode, string(s.Status), s.StartDate.String()}
}

func (r *serviceJSON) service() (pcnet.SharedService, error) {
	start, err := pcnet.ParseDate(r.StartDate)
	return pcnet.SharedService{ID: r.ID, Name: r.Name, Description: r.Description, ProviderCode: r.ProviderCode,
		AreaCode: r.AreaCode, Status: pcnet.ServiceStatus(r.Status), StartDate: start}, err
}

func coverageRecord(c pcnet.Coverage) coverageJSON {
	return coverageJSON{c.ServiceID, c.ComuneCode, c.Since.String(), optionalDate(c.Until), string(c.Phase)}
}

func (r *coverageJSON) coverage() (pcnet.Coverage, error) {
	since, err1 := pcnet.ParseDate(r.Since)
	until, err2 := parseOptionalDate(r.Until)
	return pcnet.Coverage{ServiceID: r.ServiceID, ComuneCode: r.ComuneCode, Since: since, Until: until,
		Phase: pcnet.CoveragePhase(r.Phase)}, errors.Join(err1, err2)
}

func tutorshipRecord(t pcnet.Tutorship) tutorshipJSON {
	return tutorshipJSON{t.TutorCode, t.TutoredCode, t.SectorCode, t.Since.String(), optionalDate(t.Until), t.Step}
}

func (r *tutorshipJSON) tutorship() (pcnet.Tutorship, error) {
	since, err1 := pcnet.ParseDate(r.Since)
	until, err2 := parseOptionalDate(r.Until)
	return pcnet.Tutorship{TutorCode: r.TutorCode, TutoredCode: r.TutoredCode, SectorCode: r.SectorCode,
		Since: since, Until: until, Step: r.Step}, errors.Join(err1, err2)
}

func projectWorkRecord(w pcnet.ProjectWork) projectWorkJSON {
	return projectWorkJSON{w.ID, w.ProvinceCode, w.AreaCode, w.Title, string(w.Maturity), w.Step, w.Year, w.ServiceID}
}

func (r *projectWorkJSON) projectWork() (pcnet.ProjectWork, error) {
	return pcnet.ProjectWork{ID: r.ID, ProvinceCode: r.ProvinceCode, AreaCode: r.AreaCode, Title: r.Title,
		Maturity: pcnet.Maturity(r.Maturity), Step: r.Step, Year: r.Year, ServiceID: r.ServiceID}, nil
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

func optionalDate(d pcnet.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseOptionalDate(s string) (pcnet.Date, error) {
	if s == "" {
		return pcnet.Date{}, nil
	}
	return pcnet.ParseDate(s)
}
