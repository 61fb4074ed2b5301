package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"pcnet/internal/pcnet"
)

// Synthetic returns a made-up dataset the size of the shipped one (20
// regions, 107 Provinces, 7,904 Comuni, about a hundred services and a few
// thousand coverages) for RunShipped and benchmarks while, or where, the
// real one is not at hand. It is the same on every call.
//
// Its names mix accents, apostrophes and bilingual forms and repeat, its
// populations tie, some Comuni lack coordinates, metropolitan cities have
// codes unlike their Comuni's prefix, and coverages end and restart.
func Synthetic() pcnet.Dataset {
	rng := rand.New(rand.NewPCG(2026, 5))
	var ds pcnet.Dataset

	for r := 1; r <= 20; r++ {
		ds.Regions = append(ds.Regions, pcnet.Region{Code: fmt.Sprintf("%02d", r), Name: fmt.Sprintf("Regione %d", r)})
	}

	const nProvinces, nComuni = 107, 7904
	weights := make([]float64, nProvinces)
	sum := 0.0
	for i := range weights {
		weights[i] = 0.3 + 2.2*rng.Float64()
		sum += weights[i]
	}
	sizes := make([]int, nProvinces)
	assigned := 0
	for i := range sizes {
		sizes[i] = max(1, int(float64(nComuni)*weights[i]/sum))
		assigned += sizes[i]
	}
	for i := 0; assigned != nComuni; i = (i + 1) % nProvinces {
		if assigned < nComuni {
			sizes[i]++
			assigned++
		} else if sizes[i] > 1 {
			sizes[i]--
			assigned--
		}
	}

	comuniOf := make(map[string][]pcnet.Comune)
	for i := 1; i <= nProvinces; i++ {
		historic := fmt.Sprintf("%03d", i)
		p := pcnet.Province{
			Code: historic, HistoricCode: historic,
			PlateCode:  string(rune('A'+(i-1)/26)) + string(rune('A'+(i-1)%26)),
			Name:       "Provincia " + syntheticName(rng),
			Kind:       pcnet.KindProvince,
			RegionCode: fmt.Sprintf("%02d", (i-1)*20/nProvinces+1),
		}
		switch {
		case i%8 == 0:
			p.Code, p.Kind = fmt.Sprintf("2%02d", i%100), pcnet.KindMetropolitanCity
		case i == 21 || i == 22:
			p.Kind = pcnet.KindAutonomousProvince
		}
		ds.Provinces = append(ds.Provinces, p)

		for n := 1; n <= sizes[i-1]; n++ {
			c := pcnet.Comune{
				Code:          fmt.Sprintf("%s%03d", historic, n),
				CadastralCode: fmt.Sprintf("%c%03d", 'A'+rng.IntN(26), rng.IntN(1000)),
				ProvinceCode:  p.Code,
				RegionCode:    p.RegionCode,
				Capital:       n == 1,
			}
			c.Name = syntheticName(rng)
			c.NameItalian = c.Name
			if p.Kind == pcnet.KindAutonomousProvince && rng.IntN(2) == 0 {
				c.NameOther = germanNames[rng.IntN(len(germanNames))]
				c.Name = c.NameItalian + "/" + c.NameOther
			}
			// Log-uniform populations, rounded to tens under 5,000 so
			// that many tie; about two in three are small.
			c.Population = int(math.Exp(4 + 8.5*rng.Float64()))
			if c.Capital {
				c.Population += 50000
			}
			if c.Population < pcnet.SmallComuneThreshold {
				c.Population = c.Population / 10 * 10
			}
			if rng.IntN(30) != 0 {
				lat, lon := 36+11*rng.Float64(), 6+12*rng.Float64()
				c.Latitude, c.Longitude = &lat, &lon
			}
			ds.Comuni = append(ds.Comuni, c)
			comuniOf[p.Code] = append(comuniOf[p.Code], c)
		}
	}
	slices.SortFunc(ds.Provinces, func(a, b pcnet.Province) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(ds.Comuni, func(a, b pcnet.Comune) int { return strings.Compare(a.Code, b.Code) })

	ds.Sectors = []pcnet.Sector{
		{Code: "procurement", Name: "Appalti", Areas: []pcnet.Area{{Code: "sua", SectorCode: "procurement", Name: "Stazione Unica Appaltante"}}},
		{Code: "europe", Name: "Europa", Areas: []pcnet.Area{{Code: "europe-office", SectorCode: "europe", Name: "Servizio Europa di Area Vasta"}}},
		{Code: "innovation", Name: "Innovazione e digitalizzazione", Areas: []pcnet.Area{
			{Code: "digital-services", SectorCode: "innovation", Name: "Servizi digitali"},
			{Code: "data", SectorCode: "innovation", Name: "Dati"},
		}},
		{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
			{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale"},
			{Code: "recruitment", SectorCode: "personnel", Name: "Reclutamento e selezione"},
			{Code: "personnel-admin", SectorCode: "personnel", Name: "Amministrazione del personale"},
		}},
	}
	var areas []pcnet.Area
	for _, s := range ds.Sectors {
		areas = append(areas, s.Areas...)
	}

	day0 := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	dayAt := func(t time.Time, days int) pcnet.Date { return pcnet.DateOf(t.AddDate(0, 0, days)) }
	servicesOf := make(map[string]map[string]string) // province → area → service ID
	for _, p := range ds.Provinces {
		if rng.IntN(5) < 2 {
			continue
		}
		servicesOf[p.Code] = make(map[string]string)
		for _, k := range rng.Perm(len(areas))[:1+rng.IntN(2)] {
			a := areas[k]
			start := day0.AddDate(0, 0, rng.IntN(5*365))
			sv := pcnet.SharedService{
				ID:           "svc-" + p.Code + "-" + a.Code,
				Name:         a.Name + " " + p.Name,
				ProviderCode: p.Code,
				AreaCode:     a.Code,
				Status:       pcnet.ServiceStatuses[rng.IntN(len(pcnet.ServiceStatuses))],
				StartDate:    pcnet.DateOf(start),
			}
			ds.Services = append(ds.Services, sv)
			servicesOf[p.Code][a.Code] = sv.ID

			share := 0.1 + 0.7*rng.Float64()
			for _, c := range comuniOf[p.Code] {
				if rng.Float64() > share {
					continue
				}
				offset := rng.IntN(900)
				since := start.AddDate(0, 0, offset)
				phase := pcnet.PhaseRollout
				if offset < 180 {
					phase = pcnet.PhasePilot
				}
				cov := pcnet.Coverage{ServiceID: sv.ID, ComuneCode: c.Code, Since: pcnet.DateOf(since), Phase: phase}
				if rng.IntN(10) < 3 {
					until := since.AddDate(0, 0, 100+rng.IntN(600))
					cov.Until = pcnet.DateOf(until)
					if rng.IntN(2) == 0 {
						ds.Coverages = append(ds.Coverages, pcnet.Coverage{
							ServiceID: sv.ID, ComuneCode: c.Code, Since: dayAt(until, rng.IntN(200)), Phase: pcnet.PhaseRollout,
						})
					}
				}
				ds.Coverages = append(ds.Coverages, cov)
			}
		}
	}
	rng.Shuffle(len(ds.Coverages), func(i, j int) { ds.Coverages[i], ds.Coverages[j] = ds.Coverages[j], ds.Coverages[i] })

	for range 40 {
		tutor, tutored := ds.Provinces[rng.IntN(nProvinces)], ds.Provinces[rng.IntN(nProvinces)]
		if tutor.Code == tutored.Code {
			continue
		}
		since := day0.AddDate(0, 0, 3*365+rng.IntN(3*365))
		t := pcnet.Tutorship{
			TutorCode: tutor.Code, TutoredCode: tutored.Code,
			SectorCode: ds.Sectors[rng.IntN(len(ds.Sectors))].Code,
			Since:      pcnet.DateOf(since), Step: 1 + rng.IntN(pcnet.MaxTutorshipStep),
		}
		if rng.IntN(5) < 2 {
			t.Until = dayAt(since, 90+rng.IntN(400))
		}
		ds.Tutorships = append(ds.Tutorships, t)
	}

	for _, p := range ds.Provinces {
		if rng.IntN(3) == 0 {
			continue
		}
		a := areas[rng.IntN(len(areas))]
		w := pcnet.ProjectWork{
			ID: "pw-" + p.Code + "-" + a.Code, ProvinceCode: p.Code, AreaCode: a.Code,
			Title:    "Progetto " + a.Name,
			Maturity: pcnet.Maturities[rng.IntN(len(pcnet.Maturities))],
			Step:     1 + rng.IntN(pcnet.MaxTutorshipStep), Year: 2023 + rng.IntN(3),
			ServiceID: servicesOf[p.Code][a.Code],
		}
		ds.ProjectWorks = append(ds.ProjectWorks, w)
	}
	rng.Shuffle(len(ds.ProjectWorks), func(i, j int) { ds.ProjectWorks[i], ds.ProjectWorks[j] = ds.ProjectWorks[j], ds.ProjectWorks[i] })
	return ds
}

var (
	namePrefixes = []string{"", "", "", "", "San ", "Santa ", "Sant'", "Sant’", "Monte ", "Castel ", "Borgo ", "Villa ", "Ca' ", "Pieve di ", "Rocca "}
	nameRoots    = []string{"Mar", "Lor", "Ben", "Cer", "Fal", "Gal", "Mon", "Ter", "Vel", "Zan", "Bru", "Cas", "Dor", "Orv", "Pal", "Riv", "Sol", "Tor", "Urb", "Agr", "Élv", "Ìs"}
	nameMiddles  = []string{"", "an", "er", "ol", "ic", "ar", "enz", "ign"}
	nameEndings  = []string{"ano", "ello", "ìa", "ù", "è", "ino", "one", "ate", "ago", "asco", "ò", "ìo", "ena"}
	germanNames  = []string{"Stein", "Berg", "Mühlbach", "Bruneck", "Glurns", "Toblach", "Sankt Ulrich", "Völs", "Schönau", "Kaltern"}
)

func syntheticName(rng *rand.Rand) string {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	return pick(namePrefixes) + pick(nameRoots) + pick(nameMiddles) + pick(nameEndings)
}
