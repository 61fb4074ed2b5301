package memory

import (
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// Every field of Region, Province and Comune, those of today and any added
// later, is part of the fingerprint: changing one changes it.
func TestGeographyFingerprintCoversEveryField(t *testing.T) {
	g := storetest.WriteFixture().Geography
	base := geographyFingerprint(g)
	for _, c := range []struct {
		name string
		elem func(g *pcnet.Geography) reflect.Value
	}{
		{"Region", func(g *pcnet.Geography) reflect.Value { return reflect.ValueOf(&g.Regions[0]).Elem() }},
		{"Province", func(g *pcnet.Geography) reflect.Value { return reflect.ValueOf(&g.Provinces[0]).Elem() }},
		{"Comune", func(g *pcnet.Geography) reflect.Value { return reflect.ValueOf(&g.Comuni[0]).Elem() }},
	} {
		typ := c.elem(&g).Type()
		for i := range typ.NumField() {
			changed := cloneGeography(g)
			if !perturb(c.elem(&changed).Field(i)) {
				t.Errorf("%s.%s: a %s field the test can't change: extend perturb", c.name, typ.Field(i).Name, typ.Field(i).Type)
				continue
			}
			if geographyFingerprint(changed) == base {
				t.Errorf("%s.%s changed, the fingerprint didn't", c.name, typ.Field(i).Name)
			}
		}
	}
	// Order doesn't count: the stores sort by code.
	reversed := cloneGeography(g)
	for i, j := 0, len(reversed.Comuni)-1; i < j; i, j = i+1, j-1 {
		reversed.Comuni[i], reversed.Comuni[j] = reversed.Comuni[j], reversed.Comuni[i]
	}
	if geographyFingerprint(reversed) != base {
		t.Error("the order of the Comuni changed the fingerprint")
	}
}

func cloneGeography(g pcnet.Geography) pcnet.Geography {
	return pcnet.Geography{
		Regions:   append([]pcnet.Region(nil), g.Regions...),
		Provinces: append([]pcnet.Province(nil), g.Provinces...),
		Comuni:    append([]pcnet.Comune(nil), g.Comuni...),
	}
}

// perturb sets v to a value different from the one it has.
func perturb(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(v.Int() + 1)
	case reflect.Float64:
		v.SetFloat(v.Float() + 1)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
			return true
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(v.Elem())
		if !perturb(n.Elem()) {
			return false
		}
		v.Set(n)
	default:
		return false
	}
	return true
}

// A data directory seeded before the fingerprint was derived (it holds the
// legacy fingerprint) still opens, and is migrated to the derived one.
func TestOpenMigratesLegacyFingerprint(t *testing.T) {
	dir := t.TempDir()
	ds := storetest.WriteFixture()
	s, err := Open(dir, ds)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	setStoredFingerprint(t, dir, legacyGeographyFingerprint(ds.Geography))

	s, err = Open(dir, ds)
	if err != nil {
		t.Fatalf("a directory with the legacy fingerprint: %v", err)
	}
	s.Close()
	if got := storedFingerprint(t, dir); got != geographyFingerprint(ds.Geography) {
		t.Errorf("stored fingerprint %.12s…, want the derived %.12s…", got, geographyFingerprint(ds.Geography))
	}

	// Another geography is still refused, legacy or not.
	setStoredFingerprint(t, dir, legacyGeographyFingerprint(pcnet.Geography{}))
	if s, err := Open(dir, ds); err == nil {
		s.Close()
		t.Error("a directory seeded with another geography opened")
	}
}

func withMeta(t *testing.T, dir string, write bool, f func(*bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, DataFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run := db.View
	if write {
		run = db.Update
	}
	if err := run(func(tx *bolt.Tx) error { return f(tx.Bucket(bucketMeta)) }); err != nil {
		t.Fatal(err)
	}
}

func setStoredFingerprint(t *testing.T, dir, fp string) {
	t.Helper()
	withMeta(t, dir, true, func(b *bolt.Bucket) error { return b.Put(keyGeography, []byte(fp)) })
}

func storedFingerprint(t *testing.T, dir string) (fp string) {
	t.Helper()
	withMeta(t, dir, false, func(b *bolt.Bucket) error { fp = string(b.Get(keyGeography)); return nil })
	return fp
}
