package storetest

import "pcnet/internal/pcnet"

// AnalyticsFixture returns the small hand-made dataset that RunAnalytics
// opens a store on. Every expected answer in analytics.go was worked out by
// hand from it; the comments here name the parts the cases rely on. Names
// are real, codes look real, coordinates are roughly right except where a
// case needs them exact (the Lonigo tie).
//
// Letters used in the comments of the tutorship cases:
//
//	A=001 Torino   B=002 Vercelli  C=003 Novara     (region 01)
//	D=012 Varese   E=013 Como      F=016 Bergamo    (region 03)
//	G=023 Verona   H=024 Vicenza   I=025 Belluno    (region 05)
//	J=045 Massa-C. K=046 Lucca     L=047 Pistoia    M=048 Firenze (region 09)
//
// Tutorships, tutor → tutored (sector):
//
//	A→B (personnel, twice: 2022 and from 2024)   B→A (europe)
//	A→C (personnel)   A→F (procurement)
//	E→B, E→F (personnel)   E→C (personnel, 2023 only)
//	C→D (personnel)   F→D (personnel and procurement)
//	C→J, D→J, J→K, K→B, K→L (innovation)
//	G→H, H→I, I→G (europe: a cycle)
//	M has none.
//
// Participations (the participation share cases; day 2024-06-01):
//
//	personnel: A from 2022; B 2022 until the day (out on it); E from the
//	day (in on it); F from the day after; J from 2021, out of order.
//	procurement: A from 2021; D from 2020 until 2023, again from 2024.
//	europe, innovation: none.
func AnalyticsFixture() pcnet.Dataset {
	return pcnet.Dataset{
		Geography: pcnet.Geography{
			Regions: []pcnet.Region{
				{Code: "01", Name: "Piemonte"},
				{Code: "03", Name: "Lombardia"},
				{Code: "05", Name: "Veneto"},
				{Code: "09", Name: "Toscana"},
			},
			Provinces: []pcnet.Province{
				province("001", "TO", "Torino", "01"),
				province("002", "VC", "Vercelli", "01"),
				province("003", "NO", "Novara", "01"),
				province("012", "VA", "Varese", "03"),
				province("013", "CO", "Como", "03"),
				province("016", "BG", "Bergamo", "03"),
				province("023", "VR", "Verona", "05"),
				province("024", "VI", "Vicenza", "05"),
				province("025", "BL", "Belluno", "05"),
				province("045", "MS", "Massa-Carrara", "09"),
				province("046", "LU", "Lucca", "09"),
				province("047", "PT", "Pistoia", "09"),
				province("048", "FI", "Firenze", "09"),
			},
			// Small Comuni (< 5,000): Agliè 2,600, Airasca 3,800, Alagna
			// 430, Agra 370. Villastellone has exactly 5,000: not small.
			// Massa-Carrara has two capitals (Carrara, Massa). Pistoia,
			// the only capital of its Province, and Villastellone have no
			// coordinates. Lonigo lies on the parallel of Verona and
			// Vicenza, halfway between them: the two capitals are equally
			// far from it.
			Comuni: []pcnet.Comune{
				comune("001001", "A074", "Agliè", "", "001", "01", false, 2600, coord(45.36, 7.77)),
				comune("001002", "A109", "Airasca", "", "001", "01", false, 3800, coord(44.92, 7.48)),
				comune("001272", "L219", "Torino", "", "001", "01", true, 872367, coord(45.07, 7.69)),
				comune("001300", "M002", "Villastellone", "", "001", "01", false, 5000, nil),
				comune("002001", "A119", "Alagna Valsesia", "", "002", "01", false, 430, coord(45.85, 7.94)),
				comune("002158", "L750", "Vercelli", "", "002", "01", true, 46308, coord(45.32, 8.42)),
				comune("003106", "F952", "Novara", "", "003", "01", true, 101952, coord(45.45, 8.62)),
				comune("012001", "A085", "Agra", "", "012", "03", false, 370, coord(46.04, 8.77)),
				comune("012026", "B300", "Busto Arsizio", "", "012", "03", false, 79692, coord(45.61, 8.85)),
				comune("012133", "L682", "Varese", "", "012", "03", true, 79793, coord(45.82, 8.83)),
				comune("013041", "B639", "Cantù", "", "013", "03", false, 39540, coord(45.74, 9.13)),
				comune("013075", "C933", "Como", "", "013", "03", true, 82045, coord(45.81, 9.09)),
				comune("016024", "A794", "Bergamo", "", "016", "03", true, 115349, coord(45.70, 9.67)),
				comune("023091", "L781", "Verona", "", "023", "05", true, 252520, coord(45.44, 10.99)),
				comune("024063", "E682", "Lonigo", "", "024", "05", false, 16400, coord(45.44, 11.27)),
				comune("024116", "L840", "Vicenza", "", "024", "05", true, 111500, coord(45.44, 11.55)),
				comune("025006", "A757", "Belluno", "", "025", "05", true, 35591, coord(46.14, 12.22)),
				comune("045001", "A496", "Aulla", "", "045", "09", false, 11274, coord(44.21, 9.97)),
				comune("045003", "B832", "Carrara", "", "045", "09", true, 64689, coord(44.08, 10.10)),
				comune("045010", "F023", "Massa", "", "045", "09", true, 68856, coord(44.04, 10.14)),
				comune("046017", "E715", "Lucca", "", "046", "09", true, 87200, coord(43.84, 10.50)),
				comune("047014", "G713", "Pistoia", "", "047", "09", true, 89101, nil),
				comune("048017", "D612", "Firenze", "", "048", "09", true, 358079, coord(43.77, 11.25)),
			},
		},
		Network: pcnet.Network{
			Sectors: []pcnet.Sector{
				{Code: "procurement", Name: "Appalti", Areas: []pcnet.Area{
					{Code: "sua", SectorCode: "procurement", Name: "Stazione Unica Appaltante"},
				}},
				{Code: "personnel", Name: "Politiche del personale", Areas: []pcnet.Area{
					{Code: "staff-training", SectorCode: "personnel", Name: "Formazione del personale"},
					{Code: "recruitment", SectorCode: "personnel", Name: "Reclutamento e selezione"},
				}},
				{Code: "europe", Name: "Europa", Areas: []pcnet.Area{
					{Code: "europe-office", SectorCode: "europe", Name: "Servizio Europa di Area Vasta"},
				}},
				{Code: "innovation", Name: "Innovazione e digitalizzazione", Areas: []pcnet.Area{
					{Code: "digital-transition", SectorCode: "innovation", Name: "Transizione digitale"},
				}},
			},
			// Torino (001) runs three services; the ENDED ones are 002's
			// europe office, 016's recruitment and 046's SUA. 045's is
			// PLANNED and covers nothing.
			Services: []pcnet.SharedService{
				service("svc-047-sua", "047", "sua", pcnet.StatusActive, "2023-01-01"),
				service("svc-001-training", "001", "staff-training", pcnet.StatusActive, "2022-01-01"),
				service("svc-001-sua", "001", "sua", pcnet.StatusActive, "2021-01-01"),
				service("svc-002-europe", "002", "europe-office", pcnet.StatusEnded, "2020-01-01"),
				service("svc-012-sua", "012", "sua", pcnet.StatusActive, "2020-06-01"),
				service("svc-001-recruitment", "001", "recruitment", pcnet.StatusPilot, "2023-01-01"),
				service("svc-013-training", "013", "staff-training", pcnet.StatusSuspended, "2022-01-01"),
				service("svc-016-recruitment", "016", "recruitment", pcnet.StatusEnded, "2021-01-01"),
				service("svc-023-digital", "023", "digital-transition", pcnet.StatusActive, "2023-01-01"),
				service("svc-024-digital", "024", "digital-transition", pcnet.StatusPilot, "2024-01-01"),
				service("svc-045-digital", "045", "digital-transition", pcnet.StatusPlanned, "2026-01-01"),
				service("svc-046-sua", "046", "sua", pcnet.StatusEnded, "2019-01-01"),
			},
			// The reference day of the reach cases is 2024-06-01. On it:
			// Agliè is covered by three services of 001 (sua, training,
			// recruitment); Airasca's SUA coverage ends on it (not
			// covered); Torino's starts on it (covered); Villastellone's
			// starts the day after. Varese is covered twice by the same
			// service, with a gap in 2022. Vicenza's coverage starts after
			// the day; Alagna's, Bergamo's and Lucca's ended before it.
			Coverages: []pcnet.Coverage{
				coverage("svc-001-sua", "001001", "2021-01-01", "", pcnet.PhasePilot),
				coverage("svc-001-sua", "001002", "2021-06-01", "2024-06-01", pcnet.PhasePilot),
				coverage("svc-001-sua", "001272", "2024-06-01", "", pcnet.PhaseRollout),
				coverage("svc-001-sua", "001300", "2024-06-02", "", pcnet.PhaseRollout),
				coverage("svc-001-training", "001001", "2022-01-01", "", pcnet.PhasePilot),
				coverage("svc-001-training", "001002", "2022-01-01", "2023-01-01", pcnet.PhasePilot),
				coverage("svc-001-recruitment", "001001", "2023-01-01", "", pcnet.PhasePilot),
				coverage("svc-002-europe", "002001", "2020-01-01", "2023-01-01", pcnet.PhasePilot),
				coverage("svc-012-sua", "012133", "2023-01-01", "", pcnet.PhaseRollout),
				coverage("svc-012-sua", "012001", "2020-06-01", "", pcnet.PhasePilot),
				coverage("svc-012-sua", "012026", "2021-01-01", "", pcnet.PhaseRollout),
				coverage("svc-012-sua", "012133", "2020-06-01", "2022-01-01", pcnet.PhasePilot),
				coverage("svc-013-training", "013041", "2022-03-01", "", pcnet.PhasePilot),
				coverage("svc-016-recruitment", "016024", "2021-01-01", "2022-01-01", pcnet.PhasePilot),
				coverage("svc-023-digital", "023091", "2023-01-01", "", pcnet.PhasePilot),
				coverage("svc-024-digital", "024063", "2024-03-01", "", pcnet.PhasePilot),
				coverage("svc-024-digital", "024116", "2024-07-01", "", pcnet.PhaseRollout),
				coverage("svc-046-sua", "046017", "2019-01-01", "2021-01-01", pcnet.PhasePilot),
				coverage("svc-047-sua", "047014", "2023-01-01", "", pcnet.PhasePilot),
			},
			Tutorships: []pcnet.Tutorship{
				tutorship("001", "002", "personnel", "2024-01-01", "", 1),
				tutorship("002", "001", "europe", "2021-05-01", "", 2),
				tutorship("001", "002", "personnel", "2022-01-01", "2023-01-01", 3),
				tutorship("013", "002", "personnel", "2023-03-01", "", 2),
				tutorship("013", "016", "personnel", "2022-09-01", "", 2),
				tutorship("001", "003", "personnel", "2022-06-01", "", 2),
				tutorship("013", "003", "personnel", "2023-01-01", "2024-01-01", 3),
				tutorship("003", "012", "personnel", "2022-01-01", "", 1),
				tutorship("016", "012", "procurement", "2023-06-01", "", 2),
				tutorship("016", "012", "personnel", "2023-01-01", "", 1),
				tutorship("001", "016", "procurement", "2021-01-01", "", 3),
				tutorship("003", "045", "innovation", "2023-01-01", "", 1),
				tutorship("012", "045", "innovation", "2023-02-01", "", 1),
				tutorship("045", "046", "innovation", "2024-01-01", "", 1),
				tutorship("046", "002", "innovation", "2024-02-01", "", 1),
				tutorship("046", "047", "innovation", "2024-03-01", "", 1),
				tutorship("023", "024", "europe", "2022-01-01", "", 2),
				tutorship("024", "025", "europe", "2022-01-01", "", 2),
				tutorship("025", "023", "europe", "2022-01-01", "", 2),
			},
			ProjectWorks: []pcnet.ProjectWork{
				projectWork("pw-046-sua", "046", "sua", pcnet.MaturityAdvanced, 1, ""),
				projectWork("pw-001-sua", "001", "sua", pcnet.MaturityAdvanced, 3, "svc-001-sua"),
				projectWork("pw-001-training", "001", "staff-training", pcnet.MaturityAdvanced, 3, ""),
				projectWork("pw-002-europe", "002", "europe-office", pcnet.MaturityDeveloping, 1, ""),
				projectWork("pw-003-sua", "003", "sua", pcnet.MaturityConsolidating, 2, ""),
				projectWork("pw-012-sua", "012", "sua", pcnet.MaturityAdvanced, 3, "svc-012-sua"),
				projectWork("pw-013-training", "013", "staff-training", pcnet.MaturityConsolidating, 2, "svc-013-training"),
				projectWork("pw-013-recruitment", "013", "recruitment", pcnet.MaturityConsolidating, 2, ""),
				projectWork("pw-045-digital", "045", "digital-transition", pcnet.MaturityDeveloping, 1, ""),
				projectWork("pw-016-training", "016", "staff-training", pcnet.MaturityDeveloping, 2, ""),
			},
			Programme: pcnet.Programme{
				Participations: []pcnet.Participation{
					participation("045", "personnel", "2021-01-01", ""),
					participation("001", "personnel", "2022-01-01", ""),
					participation("002", "personnel", "2022-01-01", "2024-06-01"),
					participation("013", "personnel", "2024-06-01", ""),
					participation("016", "personnel", "2024-06-02", ""),
					participation("001", "procurement", "2021-01-01", ""),
					participation("012", "procurement", "2020-06-01", "2023-01-01"),
					participation("012", "procurement", "2024-01-01", ""),
				},
			},
		},
	}
}

func province(code, plate, name, region string) pcnet.Province {
	return pcnet.Province{Code: code, HistoricCode: code, PlateCode: plate, Name: name, Kind: pcnet.KindProvince, RegionCode: region}
}

func service(id, provider, area string, status pcnet.ServiceStatus, start string) pcnet.SharedService {
	return pcnet.SharedService{ID: id, Name: "Servizio " + id, ProviderCode: provider, AreaCode: area, Status: status, StartDate: pcnet.MustDate(start)}
}

func projectWork(id, province, area string, m pcnet.Maturity, step int, serviceID string) pcnet.ProjectWork {
	return pcnet.ProjectWork{ID: id, ProvinceCode: province, AreaCode: area, Title: "Progetto " + id, Maturity: m, Step: step, Year: 2024, ServiceID: serviceID}
}

func participation(province, sector, since, until string) pcnet.Participation {
	p := pcnet.Participation{ProvinceCode: province, SectorCode: sector, Since: pcnet.MustDate(since)}
	if until != "" {
		p.Until = pcnet.MustDate(until)
	}
	return p
}
