// Command gen writes the illustrative network generated over the embedded
// ISTAT geography to a network file. It is run by go generate in
// internal/dataset:
//
//	go generate ./internal/dataset
//
// which rewrites internal/dataset/network.json. It refuses to write a
// network that doesn't validate against the geography.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"pcnet/internal/dataset"
	"pcnet/internal/network"
	"pcnet/internal/pcnet"
)

func main() {
	out := flag.String("o", "network.json", "`file` to write the network to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	geo, _, err := dataset.Geography()
	if err != nil {
		return err
	}
	f := network.GenerateFile(geo)
	d := pcnet.Dataset{Geography: geo, Network: f.Network}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("the generated network is invalid:\n%w", err)
	}
	var buf bytes.Buffer
	if err := network.EncodeFile(&buf, f); err != nil {
		return err
	}
	// Write next to the target and rename, so that a failed run never
	// leaves half a file behind.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".network-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Printf("gen: wrote %s: %d services, %d coverages, %d tutorships, %d project works (%d bytes)\n",
		path, len(f.Network.Services), len(f.Network.Coverages), len(f.Network.Tutorships), len(f.Network.ProjectWorks), buf.Len())
	return nil
}
