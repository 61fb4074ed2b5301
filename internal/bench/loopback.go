package bench

import (
	"fmt"
	"net"
	"net/url"
)

// checkLoopback refuses targets off this machine: the benchmark floods its
// target, so it only ever drives a server (or a Neo4j) on loopback.
func checkLoopback(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %q is not a URL", what, raw)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%s: %q names no host", what, raw)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: %q is not on loopback: the benchmark only drives 127.0.0.1, ::1 or localhost", what, raw)
	}
	return nil
}
