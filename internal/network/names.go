package network

import (
	"strings"

	"pcnet/internal/pcnet"
)

// illustrativeSuffix ends every generated service description, so that no
// one mistakes a generated service for a real one, even out of context.
const illustrativeSuffix = " (esempio illustrativo)"

// areaTexts holds the Italian wording of the generated services and project
// works of one area. In the templates, {of} stands for the provider
// introduced by "of": "della Provincia di Brescia".
type areaTexts struct {
	service     string
	description string
	titles      []string // project work titles, one picked at random
}

var textsByArea = map[string]areaTexts{
	"sua": {
		service:     "Stazione Unica Appaltante {of}",
		description: "Procedure di gara per lavori, servizi e forniture svolte per conto dei Comuni aderenti, dalla redazione degli atti all'aggiudicazione.",
		titles: []string{
			"Stazione Unica Appaltante al servizio dei Comuni {of}",
			"Centrale di committenza di area vasta per i Comuni {of}",
		},
	},
	"europe-office": {
		service:     "Servizio Europa di Area Vasta {of}",
		description: "Ufficio associato che segnala ai Comuni i bandi europei e nazionali e li affianca nella progettazione e nella rendicontazione dei progetti finanziati.",
		titles: []string{
			"Servizio Europa di Area Vasta per i Comuni {of}",
			"Ufficio Europa associato per la progettazione europea dei Comuni {of}",
		},
	},
	"digital-transition": {
		service:     "Ufficio associato per la transizione digitale {of}",
		description: "Supporto ai Comuni per i servizi online, i pagamenti elettronici, la migrazione al cloud e i compiti del Responsabile per la transizione digitale.",
		titles: []string{
			"Transizione digitale associata per i Comuni {of}",
			"Piano condiviso di digitalizzazione dei servizi dei Comuni {of}",
		},
	},
	"recruitment": {
		service:     "Ufficio unico concorsi {of}",
		description: "Concorsi unici e selezioni per conto dei Comuni aderenti, con elenchi di idonei a cui i Comuni attingono per le assunzioni.",
		titles: []string{
			"Ufficio unico per il reclutamento e la selezione del personale dei Comuni {of}",
			"Concorsi unici per i Comuni {of}",
		},
	},
	"staff-training": {
		service:     "Formazione associata del personale dei Comuni {of}",
		description: "Piano formativo comune e corsi in presenza e online per il personale dei Comuni aderenti, con attenzione ai piccoli Comuni.",
		titles: []string{
			"Ufficio unico per la formazione del personale dei Comuni {of}",
			"Rete per la formazione del personale degli enti locali {of}",
		},
	},
	"personnel-admin": {
		service:     "Gestione associata del personale {of}",
		description: "Elaborazione di stipendi e contributi e gestione giuridica del personale per conto dei Comuni aderenti.",
		titles: []string{
			"Gestione associata dell'amministrazione del personale dei Comuni {of}",
			"Servizio associato paghe e gestione giuridica del personale dei Comuni {of}",
		},
	},
}

// descriptionNotes adds a word about a real body to a few tutor services:
// AFOL Monza Brianza, the Province's training and employment agency, led the
// personnel track the seed webinar closed.
var descriptionNotes = map[string]string{
	"svc-108-staff-training": " In collaborazione con AFOL Monza Brianza, l'agenzia provinciale per la formazione e il lavoro.",
}

// texts returns the wording of an area, with a plain fallback for areas of
// a taxonomy other than the built-in one.
func texts(a pcnet.Area) areaTexts {
	if t, ok := textsByArea[a.Code]; ok {
		return t
	}
	return areaTexts{
		service:     a.Name + " {of}",
		description: "Servizio associato per i Comuni aderenti: " + strings.ToLower(a.Name) + ".",
		titles:      []string{a.Name + " per i Comuni {of}"},
	}
}

// fill puts the provider into a template.
func fill(template string, p pcnet.Province) string {
	return strings.ReplaceAll(template, "{of}", ofAuthority(p))
}

// authority names p as an institution, with the elision Italian wants
// before "L'Aquila" and "La Spezia": "Provincia dell'Aquila".
func authority(p pcnet.Province) string {
	kind := "Provincia"
	switch p.Kind {
	case pcnet.KindFreeConsortium:
		kind = "Libero consorzio comunale"
	case pcnet.KindMetropolitanCity:
		kind = "Città metropolitana"
	}
	switch {
	case strings.HasPrefix(p.Name, "L'"):
		return kind + " dell'" + strings.TrimPrefix(p.Name, "L'")
	case strings.HasPrefix(p.Name, "La "):
		return kind + " della " + strings.TrimPrefix(p.Name, "La ")
	case p.Name == "Sud Sardegna":
		return kind + " del " + p.Name
	}
	return kind + " di " + p.Name
}

// ofAuthority is authority after "di", as in "i Comuni della Provincia di
// Brescia".
func ofAuthority(p pcnet.Province) string {
	if p.Kind == pcnet.KindFreeConsortium {
		return "del " + authority(p)
	}
	return "della " + authority(p)
}
