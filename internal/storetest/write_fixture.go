package storetest

import (
	"cmp"
	"fmt"
	"slices"

	"pcnet/internal/pcnet"
)

// Lecco, the Province WriteFixture adds: LeccoComuni Comuni and one
// service without coverage, for the concurrency tests.
const (
	leccoCode        = "097"
	leccoService     = "svc-097-training"
	leccoComuni      = 32
	leccoServiceDate = "2024-01-01"
)

// leccoComune returns the code of Lecco's i-th Comune, i from 0.
func leccoComune(i int) string { return fmt.Sprintf("097%03d", i+1) }

// WriteFixture returns the dataset RunWrites opens stores on: Fixture()
// plus Province 097 (Lecco, Lombardia) with 32 Comuni, 097001 to 097032
// (made-up names and populations, no coordinates), and service
// svc-097-training of Lecco in staff-training, ACTIVE since 2024-01-01,
// covering nothing; and pilot pilot-013-sua of Como's svc-013-sua, for
// materials attached to a pilot.
func WriteFixture() pcnet.Dataset {
	ds := Fixture()
	ds.Provinces = append(ds.Provinces, pcnet.Province{
		Code: leccoCode, HistoricCode: leccoCode, PlateCode: "LC", Name: "Lecco", Kind: pcnet.KindProvince, RegionCode: "03",
	})
	slices.SortFunc(ds.Provinces, func(a, b pcnet.Province) int { return cmp.Compare(a.Code, b.Code) })
	for i := range leccoComuni {
		ds.Comuni = append(ds.Comuni, comune(leccoComune(i), fmt.Sprintf("Z%03d", i), fmt.Sprintf("Comune lecchese %d", i+1), "",
			leccoCode, "03", false, 900+137*i, nil))
	}
	slices.SortFunc(ds.Comuni, func(a, b pcnet.Comune) int { return cmp.Compare(a.Code, b.Code) })
	ds.Services = append(ds.Services, pcnet.SharedService{
		ID: leccoService, Name: "Formazione Lecco", ProviderCode: leccoCode, AreaCode: "staff-training",
		Status: pcnet.StatusActive, StartDate: pcnet.MustDate(leccoServiceDate),
	})
	ds.Pilots = append(ds.Pilots, pcnet.Pilot{ID: writePilot, Title: "SUA sperimentale", ProvinceCode: "013", ServiceID: "svc-013-sua",
		SectorCode: "procurement", ComuneCodes: []string{"013041"}, Since: pcnet.MustDate("2024-01-01")})
	return ds
}
