package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"pcnet/internal/dataset"
	"pcnet/internal/istat"
	"pcnet/internal/neo4j"
	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

// runImport loads the ISTAT geography and a network file into Neo4j.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", importUsage, "", stderr)
	neo := registerNeo4jFlags(fs, os.Getenv)
	istatPath := fs.String("istat", "", "ISTAT list of Comuni, CSV as ISTAT publishes it (default: the shipped list of February 2020)")
	coordPath := fs.String("coordinates", "", "coordinates of the Comuni, CSV pro_com_t,lat,long (default: the shipped file)")
	networkPath := fs.String("network", "", "network file, JSON as in internal/network/FORMAT.md (default: the shipped illustrative network)")
	prune := fs.Bool("prune", false, "delete the sectors, areas, services, coverages, tutorships and project works\nthat the database holds but the network file doesn't list (default: keep and report them)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := neo.required("import")
	if err != nil {
		return err
	}

	ds, err := loadDataset(*istatPath, *coordPath, *networkPath, stderr)
	if err != nil {
		return err
	}
	if err := ds.Validate(); err != nil {
		return fmt.Errorf("import: the data is inconsistent, nothing was written:\n%s", pcnetMessages(err))
	}

	store, err := neo4j.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close(context.WithoutCancel(ctx))
	fmt.Fprintf(stderr, "importing into %s\n", neo4j.RedactURI(cfg.URI))

	progress := func(p neo4j.Progress) {
		if !*quiet {
			fmt.Fprintf(stderr, "  %s: %d/%d\n", p.Entity, p.Done, p.Total)
		}
	}
	sum, err := store.ImportWith(ctx, ds, neo4j.ImportOptions{Progress: progress, Prune: *prune})
	if err != nil {
		if pcnet.ErrorCode(err) == pcnet.EINVALID {
			return fmt.Errorf("import: nothing was written:\n%s", pcnetMessages(err))
		}
		return fmt.Errorf("import failed, nothing was written (the import is one transaction): %w", err)
	}
	printSummary(stdout, sum)
	return nil
}

// importUsage begins `pcnet import --help`.
const importUsage = `Usage: pcnet import [flags]

Loads the ISTAT geography and a network file into Neo4j, after applying the
migrations. The import is one transaction, compares every entity with what
the database holds and writes only what changed, so it can be run again at
any time. Comuni, Provinces and regions that the list no longer has are
deleted, or kept and flagged retired while something still refers to them.

Flags:
`

// loadDataset reads the geography and the network, from the given files or
// the shipped ones, and reports on stderr what it read.
func loadDataset(istatPath, coordPath, networkPath string, stderr io.Writer) (pcnet.Dataset, error) {
	var ds pcnet.Dataset
	var report istat.CoordinateReport
	var err error
	switch istatPath {
	case "":
		ds.Geography, report, err = dataset.Geography()
		if err != nil {
			return ds, err
		}
		if coordPath != "" {
			for i := range ds.Comuni {
				ds.Comuni[i].Latitude, ds.Comuni[i].Longitude = nil, nil
			}
			if report, err = applyCoordinatesFile(&ds.Geography, coordPath); err != nil {
				return ds, err
			}
		}
	default:
		if ds.Geography, err = parseComuniFile(istatPath); err != nil {
			return ds, err
		}
		if coordPath != "" {
			if report, err = applyCoordinatesFile(&ds.Geography, coordPath); err != nil {
				return ds, err
			}
		} else if err := shippedCoordinates(&ds.Geography, stderr); err != nil {
			return ds, err
		}
	}
	fmt.Fprintf(stderr, "geography: %d regions, %d Provinces, %d Comuni\n", len(ds.Regions), len(ds.Provinces), len(ds.Comuni))
	if report.Rows > 0 {
		fmt.Fprintln(stderr, report)
	}

	var file network.File
	if networkPath == "" {
		file, err = dataset.NetworkFile()
	} else {
		file, err = decodeNetworkFile(networkPath)
	}
	if err != nil {
		return ds, err
	}
	ds.Network = file.Network
	fmt.Fprintf(stderr, "network: %d sectors, %d services, %d coverages, %d tutorships, %d project works\n",
		len(ds.Sectors), len(ds.Services), len(ds.Coverages), len(ds.Tutorships), len(ds.ProjectWorks))
	if file.Illustrative {
		fmt.Fprintln(stderr, "note: the network file is marked illustrative: invented data, not the programme's")
	}
	return ds, nil
}

func parseComuniFile(path string) (pcnet.Geography, error) {
	return readFile(path, istat.ParseComuni, func(err error) error {
		return fmt.Errorf("%s: %w", path, err)
	})
}

func applyCoordinatesFile(geo *pcnet.Geography, path string) (istat.CoordinateReport, error) {
	apply := func(r io.Reader) (istat.CoordinateReport, error) { return istat.ApplyCoordinates(geo, r) }
	return readFile(path, apply, func(err error) error {
		return fmt.Errorf("%s: %w", path, err)
	})
}

// shippedCoordinates gives the Comuni of geo (read from another ISTAT list)
// the coordinates that the shipped geography has for the same code.
func shippedCoordinates(geo *pcnet.Geography, stderr io.Writer) error {
	shipped, _, err := dataset.Geography()
	if err != nil {
		return err
	}
	byCode := make(map[string]pcnet.Comune, len(shipped.Comuni))
	for _, c := range shipped.Comuni {
		byCode[c.Code] = c
	}
	placed := 0
	for i, c := range geo.Comuni {
		if s, ok := byCode[c.Code]; ok && s.Latitude != nil {
			geo.Comuni[i].Latitude, geo.Comuni[i].Longitude = s.Latitude, s.Longitude
			placed++
		}
	}
	fmt.Fprintf(stderr, "coordinates: taken from the shipped data by ISTAT code: %d of %d Comuni placed\n", placed, len(geo.Comuni))
	return nil
}

func decodeNetworkFile(path string) (network.File, error) {
	return readFile(path, network.DecodeFile, func(err error) error {
		return fmt.Errorf("%s:\n%s", path, pcnetMessages(err))
	})
}

// readFile opens path and reads it with read. An error opening it is
// returned as it is (it names the path); one reading it goes through wrap.
func readFile[T any](path string, read func(io.Reader) (T, error), wrap func(error) error) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return v, wrap(err)
	}
	return v, nil
}

// pcnetMessages returns the user-facing messages of err, one a line: a
// joined error (such as Validate's) gives one line per problem.
func pcnetMessages(err error) string {
	var lines []string
	var collect func(error)
	collect = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				collect(e)
			}
			return
		}
		msg := pcnet.ErrorMessage(err)
		if pcnet.ErrorCode(err) == pcnet.EINTERNAL {
			msg = err.Error()
		}
		lines = append(lines, "  "+msg)
	}
	collect(err)
	return strings.Join(lines, "\n")
}

// printSummary writes the table of what the import did.
func printSummary(w io.Writer, sum neo4j.ImportSummary) {
	created := 0
	for _, m := range sum.Migrations {
		if m.Created {
			created++
		}
	}
	fmt.Fprintf(w, "migrations: %d created, %d already there\n\n", created, len(sum.Migrations)-created)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "entity\tcreated\tupdated\tunchanged\tnot in the data\tdeleted\tretired\t")
	missing := 0
	for _, e := range sum.Entities {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", e.Entity, e.Created, e.Updated, e.Unchanged, e.Missing, e.Deleted, e.Retired)
		missing += e.Missing - e.Deleted - e.Retired
	}
	tw.Flush()
	fmt.Fprintf(w, "\nComuni without coordinates: %d\n", sum.ComuniWithoutCoordinates)
	if len(sum.Retired) > 0 {
		fmt.Fprintf(w, "retired (no longer in the ISTAT list, kept because something refers to them): %d\n", len(sum.Retired))
		for _, r := range sum.Retired {
			fmt.Fprintf(w, "  %s %s %s\n", r.Label, r.Code, r.Name)
		}
	}
	if missing > 0 && !sum.Pruned {
		fmt.Fprintf(w, "%d entities in the database but not in the network file were kept; run with -prune to delete them\n", missing)
	}
	fmt.Fprintf(w, "imported in %s\n", sum.Elapsed.Round(time.Millisecond))
}
