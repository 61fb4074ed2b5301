// The dashboard's words in Italian (the default: its users are Italian
// public administrations) and English, through i18next; numbers, shares and
// dates are formatted by Intl for the language shown.

import i18next from 'i18next';

export const LANGUAGES = { it: 'Italiano', en: 'English' };
const LOCALES = { it: 'it-IT', en: 'en-GB' };

const it = {
  title: 'Province & Comuni — cruscotto delle adesioni',
  note: 'Geografia: elenco ufficiale ISTAT. La rete (servizi associati, adesioni, tutoraggi) fornita con pcnet è <strong>illustrativa</strong>, non sono dati reali del programma.',
  language: 'Lingua',
  token: 'Token di accesso', tokenLabel: 'Token Bearer', use: 'Usa',
  tokenNote: 'Serve solo se il server riserva le letture a chi ha un token. Resta solo in questa scheda del browser.',
  whatToShow: 'Cosa mostrare', sector: 'Settore', service: 'Servizio', date: 'Data',
  allServices: 'Tutti i servizi del settore',
  live: { connecting: 'Aggiornamento in tempo reale: connessione…', connected: 'Aggiornamento in tempo reale attivo', lost: 'Aggiornamento in tempo reale interrotto: nuovo tentativo…' },
  loading: 'Caricamento…', loadingComuni: 'Caricamento dei Comuni…',
  failed: 'Dati non aggiornati: {{message}}', retry: 'Riprova', retryIn: 'Nuovo tentativo automatico tra {{seconds}} s.',
  staleBanner: 'Dati non aggiornati: questo pannello mostra ancora la scelta precedente.',
  map: {
    title: 'Mappa delle adesioni', zoomIn: 'Ingrandisci', zoomOut: 'Riduci', reset: 'Vista intera',
    approx: 'Confini di Province e regioni <strong>approssimati</strong>: ricavati dalle coordinate dei Comuni (diagramma di Voronoi), non confini ufficiali.',
    status: '{{covered}} dei {{drawn}} Comuni sulla mappa coperti da {{what}} il {{date}}.',
    unlocated: ' {{count}} Comuni senza coordinate non sono disegnati',
    unlocatedCovered: ', di cui {{count}} coperti: per questo la serie storica ne conta {{total}}.',
    noSector: 'nessun settore',
    legendShare: 'Quota di Comuni coperti nella Provincia', noService: 'Nessun servizio',
    covered: 'Comune coperto', territory: 'Comune non coperto in una Provincia con un servizio', outside: 'Altro Comune', late: 'Comune previsto dal piano e in ritardo', lateList: 'Comuni in ritardo sul piano del servizio', lateItem: '{{name}}: previsto dal {{due}}, {{days}} giorni di ritardo', lateIn: 'Provincia di {{province}}: {{count}} dei {{total}} in ritardo.', lateAll: 'Mostra tutte le Province',
    hint: 'Trascina per spostare, rotella o pulsanti per ingrandire; fai clic su una Provincia per i dettagli.',
  },
  find: { label: 'Trova un Comune', placeholder: 'es. Cantù', show: 'Cerca', none: 'Nessun Comune corrisponde a “{{q}}”.', matches: '{{count}} Comuni corrispondono a “{{q}}”:', more: 'e altri {{count}}: precisa la ricerca.' },
  comune: {
    inhabitants: '{{n}} abitanti', small: 'piccolo Comune', capital: 'capoluogo', services: 'Servizi che lo coprono: caricamento…',
    none: 'Nessun servizio lo copre il {{date}}.', list: 'Servizi che lo coprono il {{date}}:', since: 'dal {{date}}', failed: 'Servizi non disponibili: {{message}}',
  },
  province: {
    title: 'Provincia', choose: 'Fai clic su una Provincia sulla mappa o nella rete, o sceglila tra i territori delle lacune.',
    share: '{{covered}} dei {{total}} Comuni coperti ({{share}}) da {{what}} il {{date}}.',
    services: 'Servizi della Provincia nel settore', noServices: 'La Provincia non gestisce servizi in questo settore.',
    coveredList: 'Comuni coperti ({{count}})', gapsList: 'Comuni non coperti ({{count}}): elenco completo nelle lacune qui sotto.',
  },
  network: {
    title: 'Rete dei tutor', chooseSector: 'Scegli un settore.',
    none: 'Nessun tutoraggio in {{sector}} attivo il {{date}}.',
    status: '{{n}} Province ({{tutors}} tutor) e {{edges}} tutoraggi in {{sector}} attivi il {{date}}.',
    tutor: 'Tutor', both: 'Tutor e accompagnata', tutored: 'Accompagnata',
    hint: 'Le frecce vanno dal tutor alla Provincia accompagnata; fai clic su una Provincia per filtrare i suoi tutoraggi.',
    tutors: '{{tutor}} accompagna {{tutored}} (step {{step}}, dal {{since}})',
    selected: '{{name}}: {{role}}.', tutorOf: 'Accompagna: {{list}}.', tutoredBy: 'Accompagnata da: {{list}}.', clear: 'Mostra tutta la rete',
    label: '{{name}} ({{plate}}), {{region}}: {{role}}',
    participates: '; partecipa al programma dal {{since}}', notParticipating: '; non partecipa al programma',
    legendParticipating: 'Partecipa al programma nel settore (da quando: nel suggerimento; Sicilia e Sardegna dal 2024)', legendNotParticipating: 'Non partecipa (bordo tratteggiato)',
  },
  timeline: {
    title: 'Copertura nel tempo', noService: 'Nessun servizio in questa selezione.', noDates: 'Nessuna data.',
    MONTH: 'mensile', QUARTER: 'trimestrale', YEAR: 'annuale',
    status: 'Serie {{interval}} dal {{from}}: il {{date}}, {{comuni}} Comuni coperti ({{share}} del territorio dei fornitori), {{inhabitants}} dei suoi abitanti.',
    numbers: 'I numeri', colDate: 'Data', colComuni: 'Comuni', colSmall: 'Piccoli Comuni', colInhabitants: 'Abitanti', colShare: 'Quota di abitanti', colServices: 'Servizi',
    comuni: 'Comuni coperti', smallComuni: 'Piccoli Comuni coperti', inhabitantsShare: 'Abitanti raggiunti (quota)', axisShare: 'Quota di abitanti',
    planned: 'Comuni previsti dal piano', colPlanned: 'Previsti', colPlannedInhabitants: 'Abitanti previsti',
  },
  gaps: {
    title: 'Lacune di copertura', which: 'Quali lacune', territory: 'Territorio', regions: 'Regioni', provinces: 'Province',
    scope: 'Non coperti in', wholeSector: 'tutto il settore ({{name}})', theSector: 'il settore', area: 'l’ambito {{name}}', smallOnly: 'Solo piccoli Comuni',
    chooseBoth: 'Scegli un settore e un territorio.',
    status: '{{count}} Comuni {{small}}di {{place}} ({{inhabitants}} abitanti) non sono coperti in {{scope}} il {{date}}; il territorio ha {{comuni}} Comuni, di cui {{smallComuni}} piccoli.',
    smallWord: 'piccoli ', csv: 'Scarica CSV (Excel, LibreOffice)',
    colCode: 'Codice ISTAT', colName: 'Comune', colProvince: 'Provincia', colPlate: 'Sigla', colPopulation: 'Popolazione', colSmall: 'Piccolo Comune',
    yes: 'sì', no: 'no', file: 'lacune',
  },
  phase: { PILOT: 'sperimentazione', ROLLOUT: 'estensione progressiva' },
  status: { PLANNED: 'in programma', PILOT: 'sperimentazione', ACTIVE: 'attivo', SUSPENDED: 'sospeso', ENDED: 'concluso' },
};

const en = {
  title: 'Province & Comuni — coverage dashboard',
  note: 'Geography: the official ISTAT list. The network (shared services, coverage, tutorships) shipped with pcnet is <strong>illustrative</strong>, not real programme data.',
  language: 'Language',
  token: 'Access token', tokenLabel: 'Bearer token', use: 'Use',
  tokenNote: 'Needed only where the server serves reads to token holders. Kept in this browser tab only.',
  whatToShow: 'What to show', sector: 'Sector', service: 'Service', date: 'Date',
  allServices: 'All services of the sector',
  live: { connecting: 'Live updates: connecting…', connected: 'Live updates on', lost: 'Live updates interrupted: retrying…' },
  loading: 'Loading…', loadingComuni: 'Loading the Comuni…',
  failed: 'Out of date: {{message}}', retry: 'Retry', retryIn: 'Retrying by itself in {{seconds}} s.',
  staleBanner: 'Out of date: this panel still shows the previous choice.',
  map: {
    title: 'Coverage map', zoomIn: 'Zoom in', zoomOut: 'Zoom out', reset: 'Whole map',
    approx: 'Province and region outlines are <strong>approximate</strong>: derived from the Comuni coordinates (a Voronoi diagram), not official boundaries.',
    status: '{{covered}} of {{drawn}} Comuni on the map covered by {{what}} on {{date}}.',
    unlocated: ' {{count}} Comuni without coordinates are not drawn',
    unlocatedCovered: ', {{count}} of them covered: that is why the timeline counts {{total}}.',
    noSector: 'no sector',
    legendShare: 'Share of the Province’s Comuni covered', noService: 'No service',
    covered: 'Covered Comune', territory: 'Uncovered Comune of a Province running a service', outside: 'Other Comune', late: 'Planned Comune, late', lateList: 'Comuni late on the service’s plan', lateItem: '{{name}}: due {{due}}, {{days}} days late', lateIn: 'Province of {{province}}: {{count}} of the {{total}} late.', lateAll: 'Show every Province',
    hint: 'Drag to pan, wheel or buttons to zoom; click a Province for its details.',
  },
  find: { label: 'Find a Comune', placeholder: 'e.g. Cantù', show: 'Find', none: 'No Comune matches “{{q}}”.', matches: '{{count}} Comuni match “{{q}}”:', more: 'and {{count}} more: narrow the search.' },
  comune: {
    inhabitants: '{{n}} inhabitants', small: 'small Comune', capital: 'capital', services: 'Services covering it: loading…',
    none: 'No service covers it on {{date}}.', list: 'Services covering it on {{date}}:', since: 'since {{date}}', failed: 'Services could not be loaded: {{message}}',
  },
  province: {
    title: 'Province', choose: 'Click a Province on the map or in the network, or choose it among the territories of the gaps.',
    share: '{{covered}} of {{total}} Comuni covered ({{share}}) by {{what}} on {{date}}.',
    services: 'The Province’s services in the sector', noServices: 'The Province runs no service in this sector.',
    coveredList: 'Covered Comuni ({{count}})', gapsList: 'Uncovered Comuni ({{count}}): the full list is in the gaps below.',
  },
  network: {
    title: 'Tutor network', chooseSector: 'Choose a sector.',
    none: 'No tutorship in {{sector}} is active on {{date}}.',
    status: '{{n}} Provinces ({{tutors}} tutoring) and {{edges}} tutorships in {{sector}} active on {{date}}.',
    tutor: 'Tutor', both: 'Tutor and tutored', tutored: 'Tutored',
    hint: 'Arrows go from tutor to tutored; click a Province to filter its tutorships.',
    tutors: '{{tutor}} tutors {{tutored}} (step {{step}}, since {{since}})',
    selected: '{{name}}: {{role}}.', tutorOf: 'Tutors: {{list}}.', tutoredBy: 'Tutored by: {{list}}.', clear: 'Show the whole network',
    label: '{{name}} ({{plate}}), {{region}}: {{role}}',
    participates: '; in the programme since {{since}}', notParticipating: '; not in the programme',
    legendParticipating: 'In the programme in this sector (since when: in the tooltip; Sicily and Sardinia since 2024)', legendNotParticipating: 'Not in the programme (dashed outline)',
  },
  timeline: {
    title: 'Reach over time', noService: 'No service in this selection.', noDates: 'No dates.',
    MONTH: 'Monthly', QUARTER: 'Quarterly', YEAR: 'Yearly',
    status: '{{interval}} from {{from}}: on {{date}}, {{comuni}} Comuni covered ({{share}} of the providers’ territory), {{inhabitants}} of its inhabitants.',
    numbers: 'The numbers', colDate: 'Date', colComuni: 'Comuni', colSmall: 'Small Comuni', colInhabitants: 'Inhabitants', colShare: 'Share of inhabitants', colServices: 'Services',
    comuni: 'Comuni covered', smallComuni: 'Small Comuni covered', inhabitantsShare: 'Inhabitants reached (share)', axisShare: 'Share of inhabitants',
    planned: 'Comuni planned', colPlanned: 'Planned', colPlannedInhabitants: 'Inhabitants planned',
  },
  gaps: {
    title: 'Coverage gaps', which: 'Which gaps', territory: 'Territory', regions: 'Regions', provinces: 'Provinces',
    scope: 'Not covered in', wholeSector: 'the whole sector ({{name}})', theSector: 'the sector', area: 'the area {{name}}', smallOnly: 'Small Comuni only',
    chooseBoth: 'Choose a sector and a territory.',
    status: '{{count}} {{small}}Comuni of {{place}} ({{inhabitants}} inhabitants) are not covered in {{scope}} on {{date}}; the territory has {{comuni}} Comuni, {{smallComuni}} of them small.',
    smallWord: 'small ', csv: 'Download CSV (Excel, LibreOffice)',
    colCode: 'ISTAT code', colName: 'Comune', colProvince: 'Province', colPlate: 'Plate', colPopulation: 'Population', colSmall: 'Small Comune',
    yes: 'yes', no: 'no', file: 'coverage-gaps',
  },
  phase: { PILOT: 'pilot', ROLLOUT: 'rollout' },
  status: { PLANNED: 'planned', PILOT: 'pilot', ACTIVE: 'active', SUSPENDED: 'suspended', ENDED: 'ended' },
};

// pickLanguage: ?lang= wins, then the user's last choice, then Italian.
export function pickLanguage(search = '', stored = null) {
  const asked = new URLSearchParams(search).get('lang');
  if (asked in LANGUAGES) return asked;
  if (stored in LANGUAGES) return stored;
  return 'it';
}

// init starts i18next synchronously (the resources are bundled) and
// returns the formatters of the language.
export function init(lng) {
  i18next.init({ lng, fallbackLng: 'it', resources: { it: { translation: it }, en: { translation: en } }, interpolation: { escapeValue: false }, initAsync: false });
  return formatters(lng);
}

export const t = (key, opts) => i18next.t(key, opts);

export function formatters(lng) {
  const locale = LOCALES[lng] ?? LOCALES.it;
  const nf = new Intl.NumberFormat(locale);
  const pf = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const df = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dfShort = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  return {
    locale,
    num: (n) => nf.format(n),
    pct: (n) => pf.format(n),
    // ISO days (YYYY-MM-DD) are calendar days: formatted in UTC so no time zone shifts them.
    date: (iso) => df.format(new Date(`${iso}T00:00:00Z`)),
    shortDate: (iso) => dfShort.format(new Date(`${iso}T00:00:00Z`)),
  };
}

export const RESOURCES = { it, en };
