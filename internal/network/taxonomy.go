package network

import "pcnet/internal/pcnet"

// Taxonomy returns the programme's four sectors and their areas, ordered by
// code, each sector's areas ordered by code. Names are the Italian names the
// programme uses; descriptions are short English glosses. Every call returns
// a fresh copy, so callers may modify it.
func Taxonomy() []pcnet.Sector {
	sectors := []pcnet.Sector{
		{
			Code:        "europe",
			Name:        "Europa",
			Description: "European funding: helping the Comuni find, win and manage EU and national grants.",
			Areas: []pcnet.Area{{
				Code:        "europe-office",
				Name:        "Servizio Europa di Area Vasta",
				Description: "Area-wide Europe office: watches calls for funding, designs projects with the Comuni and reports on funded ones.",
			}},
		},
		{
			Code:        "innovation",
			Name:        "Innovazione e digitalizzazione",
			Description: "Innovation and digitalisation of the Comuni's administrations.",
			Areas: []pcnet.Area{{
				Code:        "digital-transition",
				Name:        "Transizione digitale",
				Description: "Shared digital-transition office: online services, electronic payments, cloud migration, the digital-transition officer's duties.",
			}},
		},
		{
			Code:        "personnel",
			Name:        "Politiche del personale",
			Description: "Personnel policies: recruiting, training and administering the Comuni's staff.",
			Areas: []pcnet.Area{
				{
					Code:        "personnel-admin",
					Name:        "Amministrazione del personale",
					Description: "Payroll and the legal and economic administration of staff.",
				},
				{
					Code:        "recruitment",
					Name:        "Reclutamento e selezione",
					Description: "Joint recruitment: single competitions and shared lists of suitable candidates.",
				},
				{
					Code:        "staff-training",
					Name:        "Formazione del personale",
					Description: "Shared training plans and courses for the Comuni's staff.",
				},
			},
		},
		{
			Code:        "procurement",
			Name:        "Appalti",
			Description: "Public procurement on behalf of the Comuni.",
			Areas: []pcnet.Area{{
				Code:        "sua",
				Name:        "Stazione Unica Appaltante",
				Description: "Single contracting authority: runs tenders for works, services and supplies on behalf of the Comuni.",
			}},
		},
	}
	for i := range sectors {
		for j := range sectors[i].Areas {
			sectors[i].Areas[j].SectorCode = sectors[i].Code
		}
	}
	return sectors
}
