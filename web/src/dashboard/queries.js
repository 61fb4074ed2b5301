// The GraphQL operations the dashboard sends, all named and with
// variables. The Node tests (web/test) validate every one of them against
// the served schema, so a schema change that breaks the dashboard fails
// there first.

// The choices the dashboard offers: sectors with their areas and services,
// regions with their Provinces.
export const DASHBOARD_SETUP = `
query DashboardSetup {
  sectors {
    code
    name
    areas { code name }
    services {
      id
      name
      status
      startDate
      area { code }
      provider { code name plateCode }
    }
  }
  regions {
    code
    name
    provinces { code name plateCode }
  }
}`;

// One page of every Comune with its coordinates, for the map.
export const MAP_COMUNI = `
query MapComuni($after: String) {
  comuni(first: 1000, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        code
        name
        population
        small
        capital
        latitude
        longitude
        province { code }
      }
    }
  }
}`;

// One page of the Comuni covered in a sector on a day.
export const COVERED_IN_SECTOR = `
query CoveredInSector($sector: String!, $asOf: Date!, $after: String) {
  comuni(filter: { coverage: { sector: $sector, covered: true, asOf: $asOf } }, first: 1000, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code } }
  }
}`;

// One page of the Comuni a single service covers on a day.
export const COVERED_BY_SERVICE = `
query CoveredByService($id: ID!, $asOf: Date!, $after: String) {
  service(id: $id) {
    id
    coverage(first: 1000, after: $after, activeOn: $asOf) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { code } }
    }
  }
}`;

// What the map's details box shows for one Comune: the services covering
// it on the day.
export const COMUNE_DETAILS = `
query ComuneDetails($code: String!, $asOf: Date!) {
  comune(istat: $code) {
    code
    coverages(activeOn: $asOf) {
      since
      phase
      service {
        id
        name
        sector { code name }
        provider { name }
      }
    }
  }
}`;

// The tutorship network of a sector on a day.
export const TUTOR_NETWORK = `
query DashboardTutorNetwork($sector: String!, $asOf: Date) {
  tutorNetwork(sector: $sector, activeOn: $asOf) {
    sector { code name }
    nodes {
      province { code name plateCode region { code name } }
      role
      tutoredCount
      tutorCount
    }
    edges {
      tutor { code }
      tutored { code }
      since
      until
      step
    }
  }
}`;

// Which Provinces take part in the programme in a sector on a day, and
// since when: the network view marks them (participation, issue 13).
export const PARTICIPATIONS = `
query DashboardParticipations($sector: String!, $asOf: Date) {
  participations(filter: { sectorCodes: [$sector], activeOn: $asOf }) {
    province { code }
    sector { code }
    since
    until
  }
}`;

// The reach of a selection of services over time.
export const ROLLOUT = `
query DashboardRollout($selection: ServiceSelection, $from: Date!, $to: Date!, $interval: TimelineInterval) {
  rolloutTimeline(selection: $selection, from: $from, to: $to, interval: $interval) {
    date
    covered { comuni inhabitants smallComuni }
    base { comuni inhabitants smallComuni }
    comuniShare
    inhabitantsShare
    smallComuniShare
    services
  }
}`;

// A service's rollout plan (its targets, due dates and populations), drawn as
// planned Comuni against covered ones on the timeline.
export const ROLLOUT_PLAN = `
query DashboardRolloutPlan($serviceId: ID!, $asOf: Date) {
  rolloutProgress(serviceId: $serviceId, asOf: $asOf) {
    asOf
    planned { comuni inhabitants smallComuni }
    reached { comuni inhabitants smallComuni }
    late { due daysLate wave comune { code name population province { code } } }
    targets { due wave covered comune { code population } }
  }
}`;

// One page of the Comuni of a territory not covered in a sector or area.
export const COVERAGE_GAPS = `
query DashboardCoverageGaps(
  $region: String
  $province: String
  $sector: String
  $area: String
  $smallOnly: Boolean
  $asOf: Date
  $after: String
) {
  coverageGaps(
    region: $region
    province: $province
    sector: $sector
    area: $area
    smallOnly: $smallOnly
    asOf: $asOf
    orderBy: POPULATION_DESC
    first: 1000
    after: $after
  ) {
    totalCount
    uncovered { comuni inhabitants smallComuni smallInhabitants }
    territory { comuni inhabitants smallComuni smallInhabitants }
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        code
        name
        population
        small
        province { code name plateCode }
      }
    }
  }
}`;

// Coverage writes as they happen, to refresh the panels live.
export const COVERAGE_CHANGED = `
subscription DashboardCoverageChanged($sector: String) {
  coverageChanged(sector: $sector) {
    action
    service { id }
    sector { code }
  }
}`;

// Every operation, by name, for the tests.
export const ALL = {
  DashboardSetup: DASHBOARD_SETUP,
  MapComuni: MAP_COMUNI,
  CoveredInSector: COVERED_IN_SECTOR,
  CoveredByService: COVERED_BY_SERVICE,
  ComuneDetails: COMUNE_DETAILS,
  DashboardCoverageChanged: COVERAGE_CHANGED,
  DashboardTutorNetwork: TUTOR_NETWORK,
  DashboardParticipations: PARTICIPATIONS,
  DashboardRollout: ROLLOUT,
  DashboardRolloutPlan: ROLLOUT_PLAN,
  DashboardCoverageGaps: COVERAGE_GAPS,
};
