package neo4j

import (
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
)

// An entity kind is one kind of thing the import writes: a node label or a
// relationship type with properties. The import reads what the database
// holds of each kind, compares it in Go with the dataset, and writes only
// what is new or changed. Every row carries its key, its properties (all of
// them: SET replaces the whole property map) and its links, the keys of the
// nodes it hangs from (a Comune's Province, a coverage's service and Comune).
//
// All query text below is built once, from this package's constant tables;
// values always travel as parameters.
type entityKind struct {
	name string // plural, as reported: "comuni"
	// readAll returns key, props, links of every existing entity.
	readAll string
	// create writes rows that don't exist yet; update rewrites rows that
	// exist with other properties or links; remove deletes existing rows.
	create, update, remove string
	// geography kinds are never pruned: an entity missing from the
	// dataset is deleted when nothing else refers to it and flagged
	// retired otherwise (retire holds that query).
	geography bool
	retire    string
	label     string // node label, "" for relationships
}

// row is one entity as sent to (and read from) the database.
type row struct {
	key   string
	props map[string]any
	links map[string]any // link name → key of the linked node, or nil
}

func (r row) param() map[string]any {
	return map[string]any{"key": r.key, "props": r.props, "links": r.links}
}

// link is a relationship from a node to the node it hangs from.
type link struct {
	name     string // key in row.links
	relType  string
	outgoing bool   // (n)-[:rel]->(target); else (target)-[:rel]->(n)
	label    string // target label
	key      string // target key property
	optional bool   // the link may be absent (nil in row.links)
}

// edge returns the pattern of the link from node variable n to node
// variable t, naming the relationship rel (which may be empty).
func (l link) edge(n, rel, t string) string {
	if l.outgoing {
		return fmt.Sprintf("(%s)-[%s:%s]->(%s)", n, rel, l.relType, t)
	}
	return fmt.Sprintf("(%s)<-[%s:%s]-(%s)", n, rel, l.relType, t)
}

// nodeKind builds the queries of a node label keyed by keyProp.
func nodeKind(name, label, keyProp string, geography bool, links ...link) entityKind {
	var linkMap []string
	// match finds each row's link targets (t0, t1, ...), connect links n to
	// them, unlink deletes n's current links.
	var match, connect, unlink strings.Builder
	if len(links) > 0 {
		unlink.WriteString("\n\t\tWITH *") // a CALL can't follow SET directly
	}
	for i, l := range links {
		t := fmt.Sprintf("t%d", i)
		linkMap = append(linkMap, fmt.Sprintf("%s: [%s | t.%s][0]", l.name, l.edge("n", "", "t:"+l.label), l.key))
		if l.optional {
			fmt.Fprintf(&match, "\n\t\tOPTIONAL MATCH (%s:%s {%s: row.links.%s})", t, l.label, l.key, l.name)
			fmt.Fprintf(&connect, "\n\t\tFOREACH (t IN CASE WHEN %s IS NULL THEN [] ELSE [%s] END | CREATE %s)", t, t, l.edge("n", "", "t"))
		} else {
			fmt.Fprintf(&match, "\n\t\tMATCH (%s:%s {%s: row.links.%s})", t, l.label, l.key, l.name)
			fmt.Fprintf(&connect, "\n\t\tCREATE %s", l.edge("n", "", t))
		}
		fmt.Fprintf(&unlink, "\n\t\tCALL (n) { MATCH %s DELETE old }", l.edge("n", "old", ":"+l.label))
	}
	k := entityKind{
		name:  name,
		label: label,
		readAll: fmt.Sprintf(`
		MATCH (n:%s)
		RETURN n.%s AS key, properties(n) AS props, {%s} AS links`, label, keyProp, strings.Join(linkMap, ", ")),
		create: fmt.Sprintf(`
		UNWIND $rows AS row%s
		CREATE (n:%s)
		SET n = row.props%s`, match.String(), label, connect.String()),
		update: fmt.Sprintf(`
		UNWIND $rows AS row
		MATCH (n:%s {%s: row.key})%s
		SET n = row.props%s%s`, label, keyProp, match.String(), unlink.String(), connect.String()),
		remove: fmt.Sprintf(`
		UNWIND $rows AS row
		MATCH (n:%s {%s: row.key})
		DETACH DELETE n`, label, keyProp),
		geography: geography,
	}
	if geography {
		// A node is in use when some relationship other than its own
		// links touches it: a covered Comune, a Province with Comuni or
		// services, a Region with Provinces.
		var own []string
		for _, l := range links {
			own = append(own, fmt.Sprintf("%q", l.relType))
		}
		used := fmt.Sprintf("EXISTS { (n)-[x]-() WHERE NOT (type(x) IN [%s] AND startNode(x) = n) }", strings.Join(own, ", "))
		k.remove = fmt.Sprintf(`
		UNWIND $rows AS row
		MATCH (n:%s {%s: row.key})
		WHERE NOT %s
		DETACH DELETE n`, label, keyProp, used)
		k.retire = fmt.Sprintf(`
		UNWIND $rows AS row
		MATCH (n:%s {%s: row.key})
		SET n.retired = true
		RETURN n.%s, n.name`, label, keyProp, keyProp)
	}
	return k
}

// relEnd is one end of a relationship kind: its name in row.links, its
// node label and key property.
type relEnd struct{ name, label, key string }

// relationshipKind builds the queries of relationships of type relType
// from a node of from to a node of to. Between the same two nodes, the
// properties same tell them apart: a relationship's key is its ends' keys
// and these, '|'-separated (as datasetRows makes it).
func relationshipKind(name, relType string, from, to relEnd, same ...string) entityKind {
	key := []string{"a." + from.key, "b." + to.key}
	var where []string
	for _, p := range same {
		key = append(key, "toString(r."+p+")")
		where = append(where, "r."+p+" = row.props."+p)
	}
	ends := fmt.Sprintf("(:%s {%s: row.links.%s})-[r:%s]->(:%s {%s: row.links.%s})\n\t\tWHERE %s",
		from.label, from.key, from.name, relType, to.label, to.key, to.name, strings.Join(where, " AND "))
	return entityKind{
		name: name,
		readAll: fmt.Sprintf(`
		MATCH (a:%s)-[r:%s]->(b:%s)
		RETURN %s AS key, properties(r) AS props,
		       {%s: a.%s, %s: b.%s} AS links`, from.label, relType, to.label, strings.Join(key, " + '|' + "),
			from.name, from.key, to.name, to.key),
		create: fmt.Sprintf(`
		UNWIND $rows AS row
		MATCH (a:%s {%s: row.links.%s}), (b:%s {%s: row.links.%s})
		CREATE (a)-[r:%s]->(b)
		SET r = row.props`, from.label, from.key, from.name, to.label, to.key, to.name, relType),
		update: `
		UNWIND $rows AS row
		MATCH ` + ends + `
		SET r = row.props`,
		remove: `
		UNWIND $rows AS row
		MATCH ` + ends + `
		DELETE r`,
	}
}

// The entity kinds in the order the import writes them: every kind after
// the kinds it links to.
var (
	regionKind   = nodeKind("regions", "Region", "code", true)
	provinceKind = nodeKind("provinces", "Province", "code", true,
		link{"region", "IN_REGION", true, "Region", "code", false})
	comuneKind = nodeKind("comuni", "Comune", "code", true,
		link{"province", "IN_PROVINCE", true, "Province", "code", false})
	sectorKind = nodeKind("sectors", "Sector", "code", false)
	areaKind   = nodeKind("areas", "Area", "code", false,
		link{"sector", "IN_SECTOR", true, "Sector", "code", false})
	serviceKind = nodeKind("services", "SharedService", "id", false,
		link{"provider", "PROVIDES", false, "Province", "code", false},
		link{"area", "IN_AREA", true, "Area", "code", false})
	coverageKind = relationshipKind("coverages", "COVERS",
		relEnd{"service", "SharedService", "id"}, relEnd{"comune", "Comune", "code"}, "since")
	tutorshipKind = relationshipKind("tutorships", "TUTORS",
		relEnd{"tutor", "Province", "code"}, relEnd{"tutored", "Province", "code"}, "sector", "since")
	projectWorkKind = nodeKind("project works", "ProjectWork", "id", false,
		link{"province", "WROTE", false, "Province", "code", false},
		link{"area", "IN_AREA", true, "Area", "code", false},
		link{"service", "LED_TO", true, "SharedService", "id", true})
)

// projectWorkModelKind is a project work's ADAPTS link to the model it
// adapts, a kind of its own after projectWorkKind: a link of that kind
// would look for its target among the nodes the same query creates.
var projectWorkModelKind = entityKind{
	name: "adapted models",
	readAll: `
		MATCH (w:ProjectWork)-[r:ADAPTS]->(m:ProjectWork)
		RETURN w.id AS key, properties(r) AS props, {model: m.id} AS links`,
	create: `
		UNWIND $rows AS row
		MATCH (w:ProjectWork {id: row.key}), (m:ProjectWork {id: row.links.model})
		CREATE (w)-[r:ADAPTS]->(m)
		SET r = row.props`,
	update: `
		UNWIND $rows AS row
		MATCH (w:ProjectWork {id: row.key})-[old:ADAPTS]->(:ProjectWork)
		DELETE old
		WITH row, w
		MATCH (m:ProjectWork {id: row.links.model})
		CREATE (w)-[r:ADAPTS]->(m)
		SET r = row.props`,
	remove: `
		UNWIND $rows AS row
		MATCH (:ProjectWork {id: row.key})-[r:ADAPTS]->(:ProjectWork)
		DELETE r`,
}

// importKinds lists the kinds in write order.
var importKinds = []*entityKind{
	&regionKind, &provinceKind, &comuneKind,
	&sectorKind, &areaKind, &serviceKind, &coverageKind, &tutorshipKind, &projectWorkKind, &projectWorkModelKind,
}

// sameRow reports whether an existing entity already holds row's
// properties and links.
func sameRow(existing, r row) bool {
	if len(existing.props) != len(r.props) {
		return false
	}
	for k, v := range r.props {
		old, ok := existing.props[k]
		if !ok || !sameValue(old, v) {
			return false
		}
	}
	for k := range unionKeys(existing.links, r.links) {
		if !sameValue(existing.links[k], r.links[k]) {
			return false
		}
	}
	return true
}

func unionKeys(a, b map[string]any) map[string]bool {
	keys := make(map[string]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// sameValue compares property values as the database sees them: dates by
// calendar day (the driver reads them back in UTC).
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string, bool, int64, float64, dbtype.Point2D:
		return a == b
	case dbtype.Date:
		b, ok := b.(dbtype.Date)
		if !ok {
			return false
		}
		ay, am, ad := time.Time(a).Date()
		by, bm, bd := time.Time(b).Date()
		return ay == by && am == bm && ad == bd
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return false
}
