package storetest

import "pcnet/internal/pcnet"

// Fixture returns the small hand-made dataset that Run opens stores on.
// Every expected answer in the suite was worked out by hand from it; the
// comments below note the properties the cases rely on.
//
// The geography is in code order, as pcnet.Geography requires. The network
// lists are deliberately out of order, so a store can't pass by returning
// them as given.
func Fixture() pcnet.Dataset {
	return pcnet.Dataset{
		Geography: pcnet.Geography{
			Regions: []pcnet.Region{
				{Code: "03", Name: "Lombardia"},
				{Code: "04", Name: "Trentino-Alto Adige/Südtirol"},
				{Code: "08", Name: "Emilia-Romagna"},
				{Code: "15", Name: "Campania"},
				{Code: "20", Name: "Sardegna"}, // has no Provinces here
			},
			Provinces: []pcnet.Province{
				{Code: "013", HistoricCode: "013", PlateCode: "CO", Name: "Como", Kind: pcnet.KindProvince, RegionCode: "03"},
				{Code: "021", HistoricCode: "021", PlateCode: "BZ", Name: "Bolzano/Bozen", Kind: pcnet.KindAutonomousProvince, RegionCode: "04"},
				{Code: "022", HistoricCode: "022", PlateCode: "TN", Name: "Trento", Kind: pcnet.KindAutonomousProvince, RegionCode: "04"},
				{Code: "040", HistoricCode: "040", PlateCode: "FC", Name: "Forlì-Cesena", Kind: pcnet.KindProvince, RegionCode: "08"},
				{Code: "064", HistoricCode: "064", PlateCode: "AV", Name: "Avellino", Kind: pcnet.KindProvince, RegionCode: "15"},
				{Code: "108", HistoricCode: "108", PlateCode: "MB", Name: "Monza e della Brianza", Kind: pcnet.KindProvince, RegionCode: "03"},
				// A metropolitan city: its Comuni keep the historic prefix
				// "015" in their codes, so a Comune's Province can't be
				// read off its code.
				{Code: "215", HistoricCode: "015", PlateCode: "MI", Name: "Milano", Kind: pcnet.KindMetropolitanCity, RegionCode: "03"},
			},
			// Population ties: Lenno and Valsolda (1,800), Forlimpopoli and
			// Besana in Brianza (13,000). Name tie: the two Livo. Small
			// boundary: Sant’Angelo all’Esca 4,999 (small), Santa Sofia
			// 5,000 (not small). Byte-wise name order puts "Forlimpopoli"
			// before "Forlì" and "Sant'Angelo" < "Santa" < "Sant’Angelo".
			// No coordinates: Lenno, Bressanone/Brixen, Santa Sofia,
			// Sant'Angelo dei Lombardi.
			Comuni: []pcnet.Comune{
				comune("013041", "B639", "Cantù", "", "013", "03", false, 39540, coord(45.7386, 9.1302)),
				comune("013075", "C933", "Como", "", "013", "03", true, 82045, coord(45.8081, 9.0852)),
				comune("013130", "E514", "Lenno", "", "013", "03", false, 1800, nil),
				comune("013133", "E615", "Livo", "", "013", "03", false, 185, coord(46.1681, 9.3044)),
				comune("013250", "L641", "Valsolda", "", "013", "03", false, 1800, coord(46.0333, 9.05)),
				comune("015146", "F205", "Milano", "", "215", "03", true, 1242123, coord(45.4642, 9.19)),
				comune("021008", "A952", "Bolzano/Bozen", "Bozen", "021", "04", true, 102869, coord(46.4983, 11.3548)),
				comune("021011", "B160", "Bressanone/Brixen", "Brixen", "021", "04", false, 20677, nil),
				comune("022106", "E614", "Livo", "", "022", "04", false, 880, coord(46.4048, 11.0191)),
				comune("022205", "L378", "Trento", "", "022", "04", true, 114063, coord(46.0667, 11.1167)),
				comune("040007", "C573", "Cesena", "", "040", "08", false, 95990, coord(44.1391, 12.2464)),
				comune("040012", "D704", "Forlì", "", "040", "08", true, 116434, coord(44.2225, 12.0408)),
				comune("040015", "D705", "Forlimpopoli", "", "040", "08", false, 13000, coord(44.1883, 12.1275)),
				comune("040043", "I310", "Santa Sofia", "", "040", "08", false, 5000, nil),
				comune("064008", "A509", "Avellino", "", "064", "15", true, 54222, coord(40.9142, 14.7906)),
				comune("064090", "I280", "Sant’Angelo all’Esca", "", "064", "15", false, 4999, coord(41.0072, 14.9931)),
				comune("064091", "I281", "Sant'Angelo dei Lombardi", "", "064", "15", false, 4300, nil),
				comune("108009", "A818", "Besana in Brianza", "", "108", "03", false, 13000, coord(45.7012, 9.2868)),
				comune("108033", "F704", "Monza", "", "108", "03", true, 119856, coord(45.5845, 9.2744)),
			},
		},
		Network: pcnet.Network{
			// "europe" has no services; areas are listed out of order.
			Sectors: []pcnet.Sector{
				{Code: "procurement", Name: "Appalti", Description: "Stazione Unica Appaltante", Areas: []pcnet.Area{
					{Code: "sua", SectorCode: "procurement", Name: "Stazione Unica Appaltante"},
				}},
				{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
					{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale", Description: "Corsi comuni"},
					{Code: "recruitment", SectorCode: "personnel", Name: "Reclutamento e selezione"},
				}},
				{Code: "europe", Name: "Europa", Areas: []pcnet.Area{
					{Code: "europe-office", SectorCode: "europe", Name: "Servizio Europa di Area Vasta"},
				}},
			},
			Services: []pcnet.SharedService{
				{ID: "svc-215-sua", Name: "SUA metropolitana", ProviderCode: "215", AreaCode: "sua", Status: pcnet.StatusSuspended, StartDate: pcnet.MustDate("2022-09-01")},
				{ID: "svc-013-training", Name: "Formazione Como", Description: "Formazione per i Comuni", ProviderCode: "013", AreaCode: "staff-training", Status: pcnet.StatusActive, StartDate: pcnet.MustDate("2022-01-01")},
				{ID: "svc-013-sua", Name: "SUA Como", ProviderCode: "013", AreaCode: "sua", Status: pcnet.StatusActive, StartDate: pcnet.MustDate("2021-06-01")},
				{ID: "svc-040-recruitment", Name: "Concorsi unici", ProviderCode: "040", AreaCode: "recruitment", Status: pcnet.StatusPilot, StartDate: pcnet.MustDate("2023-03-01")},
				{ID: "svc-021-training", Name: "Weiterbildung", ProviderCode: "021", AreaCode: "staff-training", Status: pcnet.StatusPlanned, StartDate: pcnet.MustDate("2025-01-01")},
				{ID: "svc-064-sua", Name: "SUA Irpinia", ProviderCode: "064", AreaCode: "sua", Status: pcnet.StatusEnded, StartDate: pcnet.MustDate("2020-01-01")},
				{ID: "svc-013-recruitment", Name: "Reclutamento Como", ProviderCode: "013", AreaCode: "recruitment", Status: pcnet.StatusActive, StartDate: pcnet.MustDate("2023-01-01")},
			},
			// Cantù is covered by three services, two of them in the
			// personnel sector at once; Como twice by the same service,
			// in two periods.
			Coverages: []pcnet.Coverage{
				coverage("svc-064-sua", "064091", "2020-01-01", "2022-01-01", pcnet.PhasePilot),
				coverage("svc-013-training", "013130", "2023-06-15", "", pcnet.PhaseRollout),
				coverage("svc-013-training", "013075", "2024-01-01", "", pcnet.PhaseRollout),
				coverage("svc-215-sua", "015146", "2022-09-01", "", pcnet.PhasePilot),
				coverage("svc-013-training", "013041", "2022-01-01", "", pcnet.PhasePilot),
				coverage("svc-013-sua", "013250", "2022-01-01", "", pcnet.PhaseRollout),
				coverage("svc-040-recruitment", "040043", "2023-09-01", "2024-09-01", pcnet.PhaseRollout),
				coverage("svc-013-training", "013075", "2022-03-01", "2023-03-01", pcnet.PhasePilot),
				coverage("svc-013-recruitment", "013041", "2023-01-01", "", pcnet.PhaseRollout),
				coverage("svc-064-sua", "064090", "2020-06-01", "", pcnet.PhaseRollout),
				coverage("svc-040-recruitment", "040012", "2023-03-01", "", pcnet.PhasePilot),
				coverage("svc-013-sua", "013041", "2021-06-01", "2024-06-01", pcnet.PhasePilot),
			},
			Tutorships: []pcnet.Tutorship{
				tutorship("108", "013", "procurement", "2023-06-01", "", 2),
				tutorship("021", "022", "personnel", "2024-05-01", "", 1),
				withOutcome(tutorship("013", "215", "personnel", "2023-01-01", "2024-01-01", 3), pcnet.OutcomeWithdrawn), // not the default of step 3
				tutorship("040", "064", "procurement", "2024-02-01", "", 1),
				withOutcome(tutorship("021", "022", "personnel", "2022-05-01", "2023-05-01", 3), pcnet.OutcomeCompleted),
				tutorship("013", "108", "personnel", "2023-01-01", "", 2),
			},
			ProjectWorks: []pcnet.ProjectWork{
				{ID: "pw-215-sua", ProvinceCode: "215", AreaCode: "sua", Title: "SUA metropolitana", Maturity: pcnet.MaturityDeveloping, Step: 2, Year: 2025, ServiceID: "svc-215-sua"},
				// adapts its tutor's model: 013 tutors 108 in personnel
				{ID: "pw-108-training", ProvinceCode: "108", AreaCode: "staff-training", Title: "Accademia Brianza", Maturity: pcnet.MaturityAdvanced, Step: 3, Year: 2025, ModelFromID: "pw-013-training"},
				{ID: "pw-013-training", ProvinceCode: "013", AreaCode: "staff-training", Title: "Formazione condivisa", Maturity: pcnet.MaturityAdvanced, Step: 3, Year: 2024, ServiceID: "svc-013-training"},
				{ID: "pw-064-sua", ProvinceCode: "064", AreaCode: "sua", Title: "SUA Irpinia", Maturity: pcnet.MaturityConsolidating, Step: 2, Year: 2024, ServiceID: "svc-064-sua"},
				{ID: "pw-022-recruitment", ProvinceCode: "022", AreaCode: "recruitment", Title: "Selezioni trentine", Maturity: pcnet.MaturityDeveloping, Step: 1, Year: 2025},
			},
		},
	}
}

// comune builds a fixture Comune. A name with a slash is bilingual: the
// part before is the Italian name and other is the rest.
func comune(code, cadastral, name, other, province, region string, capital bool, population int, ll []float64) pcnet.Comune {
	italian := name
	if other != "" {
		italian = name[:len(name)-len(other)-1]
	}
	c := pcnet.Comune{
		Code: code, CadastralCode: cadastral, Name: name, NameItalian: italian, NameOther: other,
		ProvinceCode: province, RegionCode: region, Capital: capital, Population: population,
	}
	if ll != nil {
		c.Latitude, c.Longitude = &ll[0], &ll[1]
	}
	return c
}

func coord(lat, lon float64) []float64 { return []float64{lat, lon} }

func coverage(service, comune, since, until string, phase pcnet.CoveragePhase) pcnet.Coverage {
	return pcnet.Coverage{ServiceID: service, ComuneCode: comune, Since: pcnet.MustDate(since), Until: date(until), Phase: phase}
}

func tutorship(tutor, tutored, sector, since, until string, step int) pcnet.Tutorship {
	return pcnet.Tutorship{TutorCode: tutor, TutoredCode: tutored, SectorCode: sector, Since: pcnet.MustDate(since), Until: date(until), Step: step}
}

// withOutcome returns t with the outcome it ended with.
func withOutcome(t pcnet.Tutorship, o pcnet.TutorshipOutcome) pcnet.Tutorship {
	t.Outcome = o
	return t
}

// date parses s, or returns the zero Date for "".
func date(s string) pcnet.Date {
	if s == "" {
		return pcnet.Date{}
	}
	return pcnet.MustDate(s)
}
