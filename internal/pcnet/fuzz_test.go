package pcnet

import (
	"regexp"
	"strings"
	"testing"
)

// The fuzz targets of the input a client controls: cursors, page
// arguments, codes, dates and timelines. Seeds are in testdata/fuzz;
// scripts/fuzz.sh runs each target for a short time.

// checkInvalidError checks that err is an EINVALID *Error naming field.
func checkInvalidError(t *testing.T, err error, field string) {
	t.Helper()
	if ErrorCode(err) != EINVALID || ErrorField(err) != field {
		t.Fatalf("error %v: want code %s naming %q", err, EINVALID, field)
	}
	if strings.ContainsAny(ErrorMessage(err), "\x00") {
		t.Fatalf("message with a NUL byte: %q", ErrorMessage(err))
	}
}

// fuzzCursors are the cursors the fuzz tests decode with.
var fuzzCursors = CursorsOf("comuni", ComuneByCode, ComuneFilter{ProvinceCodes: []string{"001"}})

func FuzzDecodeCursor(f *testing.F) {
	f.Add(fuzzCursors.Encode(Key{Code: "001001"}))
	f.Add(fuzzCursors.Encode(Key{Code: "001272", Name: "Torino", Population: 872367, ServiceID: "svc-001", Since: "2024-01-01"}))
	f.Add("bzo5MjIzMzcyMDM2ODU0Nzc1ODA3") // "o:9223372036854775807"
	f.Add("bzoyMTQ3NDgzNjQ2")             // "o:2147483646", an old offset cursor
	f.Add("bzotMQ")                       // "o:-1"
	f.Add(CursorsOf("comuni", ComuneByName).Encode(Key{Code: "001001"}))
	f.Add("not a cursor")
	f.Add("")
	f.Fuzz(func(t *testing.T, cursor string) {
		k, err := fuzzCursors.Decode("after", cursor)
		if err != nil {
			checkInvalidError(t, err, "after")
			return
		}
		if k.Code == "" {
			t.Fatalf("key %+v without a code", k)
		}
		// A cursor the service could have made decodes to its key again.
		if back, err := fuzzCursors.Decode("after", fuzzCursors.Encode(k)); err != nil || back != k {
			t.Fatalf("Encode(%+v) decodes to %+v, %v", k, back, err)
		}
	})
}

func FuzzPageOf(f *testing.F) {
	f.Add(50, true, fuzzCursors.Encode(Key{Code: "001099"}), true)
	f.Add(0, true, "", false)
	f.Add(-1, true, "", false)
	f.Add(1001, true, "", false)
	f.Add(10, false, "bzo5MjIzMzcyMDM2ODU0Nzc1ODA3", true)
	f.Fuzz(func(t *testing.T, first int, hasFirst bool, after string, hasAfter bool) {
		var firstArg *int
		var afterArg *string
		if hasFirst {
			firstArg = &first
		}
		if hasAfter {
			afterArg = &after
		}
		p, err := fuzzCursors.Page(firstArg, afterArg)
		if err != nil {
			if f := ErrorField(err); f != "first" && f != "after" {
				t.Fatalf("error names %q", f)
			}
			checkInvalidError(t, err, ErrorField(err))
			return
		}
		if p.Limit < 0 || p.Limit > MaxPageSize || p.CountOnly != (p.Limit == 0) || (p.After != nil && p.After.Code == "") {
			t.Fatalf("Page(%v, %q) = %+v", first, after, p)
		}
	})
}

var (
	digitsRE = map[int]*regexp.Regexp{
		2: regexp.MustCompile(`^[0-9]{2}$`),
		3: regexp.MustCompile(`^[0-9]{3}$`),
		6: regexp.MustCompile(`^[0-9]{6}$`),
	}
	plateRE = regexp.MustCompile(`^[A-Za-z]{2}$`)
)

func FuzzValidateCodes(f *testing.F) {
	for _, s := range []string{"001272", "108", "03", "MB", "mb", "1272", "10８", "０3", "", "\x00\x00", "03\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			validate func(field, s string) error
			digits   int
		}{{ValidateComuneCode, 6}, {ValidateProvinceCode, 3}, {ValidateRegionCode, 2}} {
			err := c.validate("code", s)
			if want := digitsRE[c.digits].MatchString(s); (err == nil) != want {
				t.Fatalf("%d-digit code %q: error %v, want valid=%v", c.digits, s, err, want)
			}
			if err != nil {
				checkInvalidError(t, err, "code")
			}
		}
		plate, err := NormalizePlateCode("plate", s)
		if want := plateRE.MatchString(s); (err == nil) != want {
			t.Fatalf("plate %q: error %v, want valid=%v", s, err, want)
		}
		if err != nil {
			checkInvalidError(t, err, "plate")
		} else if plate != strings.ToUpper(s) {
			t.Fatalf("plate %q normalized to %q", s, plate)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2024-1-1", "2024-01-01T00:00:00Z", "", "20240101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q) is the zero date without an error", s)
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, d.String(), back, err)
		}
	})
}

func FuzzTimelineDates(f *testing.F) {
	f.Add("2024-01-31", "2024-12-31", IntervalMonth)
	f.Add("1000-01-01", "9999-12-31", IntervalYear)
	f.Add("2024-06-02", "2024-06-01", IntervalQuarter)
	f.Add("2005-01-01", "2025-01-01", IntervalMonth)
	f.Add("2024-01-01", "2024-01-01", "WEEK")
	f.Fuzz(func(t *testing.T, fromText, toText, interval string) {
		from, err1 := ParseDate(fromText)
		to, err2 := ParseDate(toText)
		if err1 != nil || err2 != nil {
			return
		}
		dates, err := TimelineDates(from, to, interval)
		if err != nil {
			if f := ErrorField(err); f != "from" && f != "to" && f != "interval" {
				t.Fatalf("error names %q", f)
			}
			checkInvalidError(t, err, ErrorField(err))
			return
		}
		if len(dates) == 0 || len(dates) > MaxTimelinePoints || dates[0] != from || dates[len(dates)-1].After(to) {
			t.Fatalf("TimelineDates(%s, %s, %s) = %d dates %v…", from, to, interval, len(dates), dates[:min(3, len(dates))])
		}
		for i := 1; i < len(dates); i++ {
			if !dates[i].After(dates[i-1]) {
				t.Fatalf("dates not increasing at %d: %s, %s", i, dates[i-1], dates[i])
			}
		}
	})
}
