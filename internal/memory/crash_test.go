//go:build unix

package memory_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"pcnet/internal/memory"
	"pcnet/internal/pcnet"
	"pcnet/internal/storetest"
)

// The crash test runs a real writer process (this test binary, re-run as
// TestCrashWriter), kills it with SIGKILL in the middle of a stream of
// writes, reopens its data directory and checks that every write the
// process acknowledged is there and that no write is there in part.
//
// The stream: write 0 creates a service; writes 1..40 each add a batch of
// six Comuni to it; writes 41..80 each end the coverage of a batch. The
// writer prints "ack N" once write N has returned.

const (
	crashDirEnv   = "PCNET_CRASH_DIR"
	crashService  = "svc-099-crash"
	crashBatch    = 6
	crashComuni   = 240
	crashBatches  = crashComuni / crashBatch
	crashWrites   = 1 + 2*crashBatches
	crashProvince = "099"
)

var (
	crashSince = pcnet.MustDate("2024-01-01")
	crashUntil = pcnet.MustDate("2025-01-01")
)

// crashDataset is the fixture plus Province 099 with 240 Comuni.
func crashDataset() pcnet.Dataset {
	ds := storetest.Fixture()
	ds.Provinces = append(ds.Provinces, pcnet.Province{Code: crashProvince, HistoricCode: crashProvince, PlateCode: "VV", Name: "Crash", Kind: pcnet.KindProvince, RegionCode: "15"})
	slices.SortFunc(ds.Provinces, func(a, b pcnet.Province) int { return cmp.Compare(a.Code, b.Code) })
	for i := range crashComuni {
		code := fmt.Sprintf("%s%03d", crashProvince, i+1)
		ds.Comuni = append(ds.Comuni, pcnet.Comune{Code: code, CadastralCode: "X" + code[3:], Name: "Comune " + code, NameItalian: "Comune " + code,
			ProvinceCode: crashProvince, RegionCode: "15", Population: 1000 + i})
	}
	slices.SortFunc(ds.Comuni, func(a, b pcnet.Comune) int { return cmp.Compare(a.Code, b.Code) })
	return ds
}

func crashBatchCodes(b int) []string {
	codes := make([]string, crashBatch)
	for i := range codes {
		codes[i] = fmt.Sprintf("%s%03d", crashProvince, b*crashBatch+i+1)
	}
	return codes
}

// crashWrite makes write w of the stream.
func crashWrite(ctx context.Context, s *memory.Store, w int) error {
	var err error
	switch {
	case w == 0:
		_, err = s.CreateService(ctx, pcnet.SharedService{ID: crashService, Name: "Crash", ProviderCode: crashProvince, AreaCode: "sua", Status: pcnet.StatusPilot, StartDate: crashSince})
	case w <= crashBatches:
		_, err = s.AddCoverage(ctx, pcnet.CoverageAddition{ServiceID: crashService, ComuneCodes: crashBatchCodes(w - 1), Since: crashSince, Phase: pcnet.PhasePilot})
	default:
		_, err = s.EndCoverage(ctx, pcnet.CoverageEnding{ServiceID: crashService, ComuneCodes: crashBatchCodes(w - 1 - crashBatches), Until: crashUntil})
	}
	return err
}

// TestCrashWriter is the writer process of TestKill9MidStream; it does
// nothing in a normal test run.
func TestCrashWriter(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the writer process of TestKill9MidStream")
	}
	s, err := memory.Open(dir, crashDataset())
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	ctx := pcnet.WithActor(context.Background(), pcnet.Actor{Subject: "crash", Role: pcnet.RolePlanner})
	for w := range crashWrites {
		if err := crashWrite(ctx, s, w); err != nil {
			fmt.Fprintf(os.Stderr, "write %d: %v\n", w, err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", w) // os.Stdout is unbuffered: written before the next write starts
	}
	s.Close()
}

func TestKill9MidStream(t *testing.T) {
	runs := 6
	if testing.Short() {
		runs = 2
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 9))
	killedMidStream := 0
	for run := range runs {
		dir := t.TempDir()
		// Kill after a random acknowledgement, after a random pause of up
		// to 3 ms, so the kill lands anywhere in the next write (an fsync
		// on this machine takes about that long).
		target := 1 + rng.IntN(crashWrites-3)
		pause := time.Duration(rng.IntN(3000)) * time.Microsecond

		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked, sentKill := -1, false
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			var n int
			if _, err := fmt.Sscanf(lines.Text(), "ack %d", &n); err != nil {
				continue // the test framework's own output
			}
			if n != acked+1 {
				t.Errorf("run %d: ack %d after ack %d", run, n, acked)
			}
			acked = n
			if !sentKill && n >= target {
				time.Sleep(pause)
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
				sentKill = true
			}
		}
		// Acks still in the pipe when the process died count: they were
		// written after their write returned.
		err = cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			t.Logf("run %d: the writer finished all %d writes before the kill", run, crashWrites)
		case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			killedMidStream++
		default:
			t.Fatalf("run %d: writer failed: %v\n%s", run, err, stderr.String())
		}
		present := checkAfterCrash(t, dir, acked)
		t.Logf("run %d: killed after ack %d (+%v): %d acknowledged, %d present after restart", run, target, pause, acked+1, present)
	}
	if killedMidStream == 0 {
		t.Errorf("no run killed the writer in the middle of the stream")
	}
}

// checkAfterCrash reopens the data directory of a killed writer that had
// acknowledged writes 0..acked and checks it. It returns the number of
// writes present.
func checkAfterCrash(t *testing.T, dir string, acked int) int {
	t.Helper()
	s, err := memory.Open(dir, crashDataset())
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer s.Close()
	ctx := context.Background()

	services, err := s.Services(ctx, pcnet.ServiceFilter{IDs: []string{crashService}})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := s.Coverages(ctx, []pcnet.CoverageQuery{{Filter: pcnet.CoverageFilter{ServiceIDs: []string{crashService}}}})
	if err != nil {
		t.Fatal(err)
	}
	coverage := make(map[string]pcnet.Coverage)
	for _, c := range pages[0].Coverages {
		if _, dup := coverage[c.ComuneCode]; dup {
			t.Errorf("%s is covered twice", c.ComuneCode)
		}
		coverage[c.ComuneCode] = c
	}

	// Which writes are there, each whole or not at all.
	present := make([]bool, crashWrites)
	present[0] = len(services) == 1
	for b := range crashBatches {
		added, ended := 0, 0
		for _, code := range crashBatchCodes(b) {
			if c, ok := coverage[code]; ok {
				added++
				if c.Until == crashUntil {
					ended++
				}
			}
		}
		if added != 0 && added != crashBatch {
			t.Errorf("batch %d half added: %d of %d Comuni covered", b, added, crashBatch)
		}
		if ended != 0 && ended != crashBatch {
			t.Errorf("batch %d half ended: %d of %d coverages ended", b, ended, crashBatch)
		}
		present[1+b] = added == crashBatch
		present[1+crashBatches+b] = ended == crashBatch
	}
	n := 0
	for n < crashWrites && present[n] {
		n++
	}
	if slices.Contains(present[n:], true) {
		t.Errorf("writes present after a missing one: %v", present)
	}
	last := n - 1
	switch {
	case last < acked:
		t.Errorf("write %d was acknowledged but only writes up to %d are there", acked, last)
	case last > acked+1:
		t.Errorf("writes up to %d are there but only %d was acknowledged and one more begun", last, acked)
	}

	// The audit trail matches the data: one entry for the service, one
	// per coverage added or ended, gap-free, the last one of the last write.
	changes, err := s.Changes(ctx, pcnet.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0 // write 0 records one entry, the others one per Comune
	if n > 0 {
		want = 1 + (n-1)*crashBatch
	}
	if len(changes) != want {
		t.Fatalf("%d audit entries for %d writes, want %d", len(changes), n, want)
	}
	for i, c := range changes {
		if c.Seq != int64(i+1) {
			t.Fatalf("audit entry %d has seq %d", i, c.Seq)
		}
	}
	if n > 0 {
		lastEntry := changes[len(changes)-1]
		var wantID, wantAction string
		switch {
		case last == 0:
			wantID, wantAction = crashService, pcnet.ActionCreate
		case last <= crashBatches:
			codes := crashBatchCodes(last - 1)
			wantID, wantAction = pcnet.CoverageEntityID(crashService, codes[len(codes)-1]), pcnet.ActionAdd
		default:
			codes := crashBatchCodes(last - 1 - crashBatches)
			wantID, wantAction = pcnet.CoverageEntityID(crashService, codes[len(codes)-1]), pcnet.ActionEnd
		}
		if lastEntry.EntityID != wantID || lastEntry.Action != wantAction {
			t.Errorf("last audit entry %+v, want %s of %s", lastEntry, wantAction, wantID)
		}
	}

	// The store goes on: the next write of the stream succeeds.
	if n < crashWrites {
		if err := crashWrite(ctx, s, n); err != nil {
			t.Errorf("write %d after the restart: %v", n, err)
		}
	}
	return n
}
