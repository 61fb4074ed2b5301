package storetest

import "testing"

func TestWriteFixture(t *testing.T) {
	ds := WriteFixture()
	if err := ds.Validate(); err != nil {
		t.Fatalf("WriteFixture is invalid: %v", err)
	}
	lecco := 0
	for i, c := range ds.Comuni {
		if i > 0 && ds.Comuni[i-1].Code >= c.Code {
			t.Errorf("Comuni out of code order at %s", c.Code)
		}
		if c.ProvinceCode == leccoCode {
			lecco++
		}
	}
	if lecco != leccoComuni {
		t.Errorf("%d Comuni of Lecco, want %d", lecco, leccoComuni)
	}
	for i := 1; i < len(ds.Provinces); i++ {
		if ds.Provinces[i-1].Code >= ds.Provinces[i].Code {
			t.Errorf("Provinces out of code order at %s", ds.Provinces[i].Code)
		}
	}
	// Each call is a fresh copy.
	ds.Services[0].ID = "changed"
	if WriteFixture().Services[0].ID == "changed" {
		t.Error("WriteFixture shares memory between calls")
	}
}
