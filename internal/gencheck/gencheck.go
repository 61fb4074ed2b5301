// Package gencheck lets a test prove that committed generated files are
// current: it copies the module's sources to a temporary folder, runs the
// generator there and compares what it wrote with what is committed. Running
// the real generator (rather than comparing a recorded hash of its inputs)
// also catches a changed generator or gqlgen version.
package gencheck

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// skipDirs are never copied: they hold no Go sources the generators read.
var skipDirs = map[string]bool{".git": true, ".neo4j": true, "node_modules": true, "web": true,
	"tools": true, "bin": true, ".ci-artifacts": true, "testdata": true, "data": true}

// Root returns the module root (the folder of go.mod) above the test's folder.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("gencheck: no go.mod above the test's folder")
		}
		dir = parent
	}
}

// Copy copies the module's Go sources, go.mod/go.sum and the generators'
// inputs (gqlgen.yml, *.graphqls) from root into a fresh temporary folder and
// returns it.
func Copy(t testing.TB, root string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		name := d.Name()
		source := strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".graphqls") ||
			name == "go.mod" || name == "go.sum" || name == "gqlgen.yml"
		if !source {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("gencheck: copying %s: %v", root, err)
	}
	return dst
}

// Run runs the command name args in dir (a folder of the copy) and fails the
// test with its output when it fails.
func Run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gencheck: %s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
}

// Same fails the test for every file (a path relative to the module root)
// that differs between root and the regenerated copy, naming the command that
// brings it up to date.
func Same(t testing.TB, root, copy, fix string, files ...string) {
	t.Helper()
	for _, f := range files {
		want, err := os.ReadFile(filepath.Join(copy, f))
		if err != nil {
			t.Errorf("gencheck: the generator wrote no %s: %v", f, err)
			continue
		}
		got, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Errorf("gencheck: %v", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale against its inputs: run %s and commit the result (first difference at line %d)",
				f, fix, firstDiffLine(got, want))
		}
	}
}

func firstDiffLine(a, b []byte) int {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}
