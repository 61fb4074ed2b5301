package graph

import (
	"strings"
	"testing"

	"pcnet/graph/model"
	"pcnet/internal/pcnet"
)

// splitCodes splits a fuzzed comma-separated list; "" is no list.
func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// FuzzComuneFilter feeds the Comune filter of the GraphQL API any codes,
// shorthands, name and population bounds: the resolver's parsing must
// either refuse them with an "invalid" error naming a filter field, or
// produce a store filter whose every code is well formed (stores assume
// validated input). Seeds are in testdata/fuzz/FuzzComuneFilter.
func FuzzComuneFilter(f *testing.F) {
	f.Add("001272", "03", "", "108", "", "cantu", 0, 5000)
	f.Fuzz(func(t *testing.T, codes, region, regionCodes, province, provinceCodes, name string, minPop, maxPop int) {
		in := &model.ComuneFilter{
			Codes:         splitCodes(codes),
			Region:        optional(region),
			RegionCodes:   splitCodes(regionCodes),
			Province:      optional(province),
			ProvinceCodes: splitCodes(provinceCodes),
			NameContains:  optional(name),
			MinPopulation: &minPop,
			MaxPopulation: &maxPop,
		}
		r := &Resolver{Today: func() pcnet.Date { return pcnet.MustDate("2025-06-30") }}
		out, err := r.comuneFilter(in)
		if err != nil {
			if pcnet.ErrorCode(err) != pcnet.EINVALID || !strings.HasPrefix(pcnet.ErrorField(err), "filter.") {
				t.Fatalf("error %v: want an invalid error naming a filter field", err)
			}
			return
		}
		for _, c := range out.Codes {
			if pcnet.ValidateComuneCode("x", c) != nil {
				t.Fatalf("malformed Comune code %q passed", c)
			}
		}
		for _, c := range out.RegionCodes {
			if pcnet.ValidateRegionCode("x", c) != nil {
				t.Fatalf("malformed region code %q passed", c)
			}
		}
		for _, c := range out.ProvinceCodes {
			if pcnet.ValidateProvinceCode("x", c) != nil {
				t.Fatalf("malformed Province code %q passed", c)
			}
		}
		if region != "" && (len(out.RegionCodes) != 1 || out.RegionCodes[0] != region) {
			t.Fatalf("region %q became %v", region, out.RegionCodes)
		}
		if province != "" && (len(out.ProvinceCodes) != 1 || out.ProvinceCodes[0] != province) {
			t.Fatalf("province %q became %v", province, out.ProvinceCodes)
		}
	})
}
