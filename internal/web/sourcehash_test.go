package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// webDir is the npm project the assets are built from, relative to this
// package.
const webDir = "../../web"

// sourceHash recomputes the fingerprint that web/sourcehash.mjs records in
// dist/build-info.json: SHA-256 over the inputs in byte order of their
// slash-separated paths, each as "<path>\0<size>\0<content>".
func sourceHash(dir string) (string, error) {
	inputs := []string{"build.mjs", "package.json", "package-lock.json", "sourcehash.mjs"}
	err := filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		inputs = append(inputs, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return "", err
	}
	slices.Sort(inputs)
	h := sha256.New()
	for _, name := range inputs {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// The committed build must come from the committed sources: a change to
// web/ without `npm run build` fails here.
func TestBuildIsFresh(t *testing.T) {
	if _, err := os.Stat(filepath.Join(webDir, "package.json")); err != nil {
		t.Skipf("no web/ sources next to this package (%v)", err)
	}
	want, err := sourceHash(webDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(dist, "dist/build-info.json")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		SourceHash string                    `json:"sourceHash"`
		Files      map[string]map[string]int `json:"files"`
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if info.SourceHash != want {
		t.Fatalf("internal/web/dist was built from other sources (%.12s) than web/ holds (%.12s): run `cd web && npm ci && npm run build` and commit internal/web/dist", info.SourceHash, want)
	}
	// Every file the build recorded is embedded, with the recorded size.
	for name, sizes := range info.Files {
		fi, err := fs.Stat(dist, "dist/"+name)
		if err != nil {
			t.Errorf("build-info.json lists %s, which is not embedded: %v", name, err)
			continue
		}
		if int(fi.Size()) != sizes["bytes"] {
			t.Errorf("%s: %d bytes embedded, build-info.json says %d", name, fi.Size(), sizes["bytes"])
		}
	}
}
