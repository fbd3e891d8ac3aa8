package sru

import (
	"strconv"
	"strings"
	"sync/atomic"

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

// profileCache keeps the profile built from the last ExplainInfo, so that
// a backend that returns the same slices on every call (as Backend.Explain
// asks) does not cost a profile build per request.
type profileCache struct {
	last atomic.Pointer[cachedProfile]
}

type cachedProfile struct {
	key     profileKey
	profile *cql.Profile
}

// profileKey identifies the parts of an ExplainInfo a profile is built
// from: the slices by their first element and length, the default set by
// value.
type profileKey struct {
	sets, relations, modifiers  *string
	indexes                     *Index
	nSets, nIndexes, nRel, nMod int
	defaultSet                  string
}

func keyOf(info *ExplainInfo) profileKey {
	k := profileKey{nSets: len(info.ContextSets), nIndexes: len(info.Indexes), nRel: len(info.Relations),
		nMod: len(info.RelationModifiers), defaultSet: info.DefaultContextSet}
	if len(info.ContextSets) > 0 {
		k.sets = &info.ContextSets[0].Prefix
	}
	if len(info.Indexes) > 0 {
		k.indexes = &info.Indexes[0]
	}
	if len(info.Relations) > 0 {
		k.relations = &info.Relations[0]
	}
	if len(info.RelationModifiers) > 0 {
		k.modifiers = &info.RelationModifiers[0]
	}
	return k
}

// get returns the profile of info, building it when info's slices are
// not the ones of the cached profile.
func (c *profileCache) get(info *ExplainInfo) *cql.Profile {
	k := keyOf(info)
	if last := c.last.Load(); last != nil && last.key == k {
		return last.profile
	}
	p := profile(info)
	c.last.Store(&cachedProfile{key: k, profile: p})
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
