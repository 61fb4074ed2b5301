package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the report as tables: one per phase, then the ratio of the
// GraphQL throughput to the baseline's.
func (r *Report) Print(w io.Writer) {
	cfg := r.Config
	var mix []string
	for _, m := range cfg.Mix {
		mix = append(mix, fmt.Sprintf("%s=%d", m.Op.Name, m.Weight))
	}
	fmt.Fprintf(w, "pcnet bench: %d clients, %s measured per phase after %s of warmup, mix %s\n",
		cfg.Clients, cfg.Duration, cfg.Warmup, strings.Join(mix, ","))
	if r.GraphQL != nil {
		fmt.Fprintf(w, "server %s", cfg.URL)
		if r.MaxRSSBytes > 0 {
			fmt.Fprintf(w, ", peak RSS %.1f MiB", float64(r.MaxRSSBytes)/(1<<20))
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "\nGraphQL (pcnet server)")
		r.GraphQL.print(w, cfg)
	}
	if r.Baseline != nil {
		fmt.Fprintf(w, "\nBaseline (hand-written Cypher through the Neo4j driver, %s)\n", redact(cfg.Neo4j.URI))
		r.Baseline.print(w, cfg)
	}
	if r.GraphQL != nil && r.Baseline != nil {
		fmt.Fprintln(w, "\nGraphQL compared with the baseline (throughput as a share of the baseline's, latency as a multiple)")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  operation\treq/s\tp50\tp99\t")
		row := func(name string, a, b *OpStats) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", name, ratio(a, b, r.GraphQL.Elapsed, r.Baseline.Elapsed),
				times(a, b, 0.50), times(a, b, 0.99))
		}
		for _, m := range cfg.Mix {
			row(m.Op.Name, r.GraphQL.Ops[m.Op.Name], r.Baseline.Ops[m.Op.Name])
		}
		row("all", r.GraphQL.Total, r.Baseline.Total)
		tw.Flush()
		if len(cfg.Mix) > 1 {
			fmt.Fprintln(w, "  (in a mix, each operation's share of the requests is its weight, so its throughput ratio is the overall one)")
		}
	}
}

// times returns how many times slower a's quantile q is than b's.
func times(a, b *OpStats, q float64) string {
	if a == nil || b == nil || b.Quantile(q) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", float64(a.Quantile(q))/float64(b.Quantile(q)))
}

func (p *Phase) print(w io.Writer, cfg Config) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  operation\tweight\trequests\treq/s\tp50\tp95\tp99\tmax\terrors\tstore calls/req\t")
	row := func(s *OpStats, weight string) {
		calls := "-"
		if c := s.StoreCallsPerRequest(); c >= 0 {
			calls = fmt.Sprintf("%.2f", c)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t\n", s.Name, weight, s.Requests, s.Throughput(p.Elapsed),
			ms(s.Quantile(0.50)), ms(s.Quantile(0.95)), ms(s.Quantile(0.99)), ms(s.Max()), s.Errors, calls)
	}
	for _, m := range cfg.Mix {
		s := p.Ops[m.Op.Name]
		if s == nil {
			s = newOpStats(m.Op.Name)
		}
		row(s, fmt.Sprint(m.Weight))
	}
	row(p.Total, "")
	tw.Flush()
	for _, m := range cfg.Mix {
		if s := p.Ops[m.Op.Name]; s != nil && s.FirstError != "" {
			fmt.Fprintf(w, "  first error of %s: %s\n", s.Name, s.FirstError)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func ratio(a, b *OpStats, ea, eb time.Duration) string {
	if a == nil || b == nil || b.Requests == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*a.Throughput(ea)/b.Throughput(eb))
}

// redact drops the user information of a URI.
func redact(uri string) string {
	if i := strings.Index(uri, "@"); i >= 0 {
		if j := strings.Index(uri, "://"); j >= 0 && j < i {
			return uri[:j+3] + uri[i+1:]
		}
	}
	return uri
}
