package sru

import (
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/search/cql"
)

const nsZeeRex = "http://explain.z3950.org/dtd/2.0/"

// contextSets returns the sets a query may use: the standard ones and
// those of the ExplainInfo.
func contextSets(info *ExplainInfo) []cql.ContextSet {
	sets := cql.StandardSets()
	for _, s := range info.ContextSets {
		replaced := false
		for i := range sets {
			if strings.EqualFold(sets[i].Prefix, s.Prefix) {
				sets[i], replaced = s, true
			}
		}
		if !replaced {
			sets = append(sets, s)
		}
	}
	return sets
}

// profile turns the ExplainInfo into the CQL profile queries are checked
// against.
func profile(info *ExplainInfo) *cql.Profile {
	p := &cql.Profile{
		Sets:              contextSets(info),
		DefaultSet:        info.DefaultContextSet,
		Indexes:           make([]string, 0, len(info.Indexes)),
		Relations:         info.Relations,
		RelationModifiers: info.RelationModifiers,
	}
	if p.DefaultSet == "" {
		p.DefaultSet = "dc"
	}
	for _, ix := range info.Indexes {
		p.Indexes = append(p.Indexes, ix.Set+"."+ix.Name)
	}
	return p
}

// renderExplain writes the ZeeRex record describing the database.
func (h *Handler) renderExplain(info *ExplainInfo, version string, schemas []Schema) []byte {
	var w xmlWriter
	w.open("explain", "xmlns", nsZeeRex)
	w.open("serverInfo", "protocol", "SRU", "version", version, "transport", "http", "method", "GET POST")
	w.elem("host", info.Host)
	w.elem("port", strconv.Itoa(info.Port))
	w.elem("database", info.Database)
	w.close("serverInfo")

	w.open("databaseInfo")
	w.elemIf("title", info.Title, "lang", "en", "primary", "true")
	w.elemIf("description", info.Description, "lang", "en", "primary", "true")
	w.close("databaseInfo")

	if len(info.Indexes) > 0 {
		w.open("indexInfo")
		used := map[string]bool{}
		for _, ix := range info.Indexes {
			used[strings.ToLower(ix.Set)] = true
		}
		for _, s := range contextSets(info) {
			if used[strings.ToLower(s.Prefix)] {
				w.empty("set", "name", s.Prefix, "identifier", s.URI)
			}
		}
		for _, ix := range info.Indexes {
			w.open("index", "search", "true", "scan", "true", "sort", strconv.FormatBool(ix.Sort))
			w.elemIf("title", ix.Title, "lang", "en")
			w.open("map")
			w.elem("name", ix.Name, "set", ix.Set)
			w.close("map")
			w.close("index")
		}
		w.close("indexInfo")
	}

	w.open("schemaInfo")
	for _, s := range schemas {
		w.open("schema", "identifier", s.Identifier, "name", s.Name, "sort", "false", "retrieve", "true")
		w.elem("title", s.Title, "lang", "en")
		w.close("schema")
	}
	w.close("schemaInfo")

	w.open("configInfo")
	w.elem("default", strconv.Itoa(h.defaultRecords()), "type", "numberOfRecords")
	def := info.DefaultContextSet
	if def == "" {
		def = "dc"
	}
	w.elem("default", def, "type", "contextSet")
	if len(schemas) > 0 {
		w.elem("default", schemas[0].Identifier, "type", "retrieveSchema")
	}
	w.elem("setting", strconv.Itoa(h.maxRecords()), "type", "maximumRecords")
	w.elem("setting", strconv.Itoa(h.maxScanTerms()), "type", "maximumTerms")
	rels := info.Relations
	if rels == nil {
		rels = cql.StandardRelations()
	}
	for _, r := range rels {
		w.elem("supports", r, "type", "relation")
	}
	mods := info.RelationModifiers
	if mods == nil {
		mods = cql.StandardRelationModifiers()
	}
	for _, m := range mods {
		w.elem("supports", m, "type", "relationModifier")
	}
	w.elem("supports", "", "type", "scan")
	w.elem("supports", "", "type", "sort")
	w.close("configInfo")
	w.close("explain")
	return w.bytes()
}
