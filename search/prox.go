package search

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/bibgate/bibgate/marc"
)

// Prox matches records in which a match of Left and a match of Right lie
// in the same field, Distance words apart under Relation: Z39.50 @prox
// with unit word, CQL prox/unit=word. The distance of two words is the
// difference of their positions, so adjacent words are at distance 1; a
// match of several words (a phrase, a nested Prox) spans from its first
// word to its last, and the distance of two spans is the number of word
// steps from the end of the one to the start of the other (0 when they
// overlap). Ordered asks that Left come before Right.
//
// Both sides are *Term or *Prox, every Term in the same text index. Word
// positions are not stored: the index finds the records that match both
// sides and checks the positions in their stored fields.
type Prox struct {
	Left, Right Query
	Distance    int
	// Relation compares the distance with Distance: RelLess, RelLessEqual,
	// RelEqual, RelGreaterEqual, RelGreater or RelNotEqual (0 is
	// RelLessEqual).
	Relation Relation
	Ordered  bool
}

func (*Prox) query() {}

func (q *Prox) String() string {
	ord := 0
	if q.Ordered {
		ord = 1
	}
	return fmt.Sprintf("@prox(%d %d %d) %s %s", q.Distance, ord, q.proxRelation(), q.Left, q.Right)
}

func (q *Prox) proxRelation() Relation {
	if q.Relation == 0 {
		return RelLessEqual
	}
	return q.Relation
}

// MaxProxDistance bounds the distance of a proximity search.
const MaxProxDistance = 10000

// maxProxLeaves bounds the terms of one proximity tree.
const maxProxLeaves = 64

// ProxPlan is how an index answers a Prox: the records matching every
// term of Terms (each planned with PlanTerm), kept when Verify, which reads
// only the fields Index.Reads accepts, holds.
type ProxPlan struct {
	Index  *Index
	Terms  []*Term
	Verify func(rec *marc.Record) bool
}

// span is a match of a proximity operand: words [start, end] of a field.
type span struct{ start, end int }

// proxNode finds the spans of one operand in a field's words; starts are
// the positions where the field's subfields begin.
type proxNode func(flat []string, starts []int) []span

// PlanProx checks q and returns its plan. An unsupported operand or
// attribute gives a *Diagnostic.
func PlanProx(q *Prox) (*ProxPlan, error) {
	pp := &ProxPlan{}
	root, err := pp.node(q, 0)
	if err != nil {
		return nil, err
	}
	ix := pp.Index
	pp.Verify = func(rec *marc.Record) bool {
		var flat []string
		var starts []int
		for _, ft := range ix.FieldTokens(rec) {
			flat, starts = flat[:0], starts[:0]
			for _, sub := range ft {
				starts = append(starts, len(flat))
				flat = append(flat, sub...)
			}
			if len(root(flat, starts)) > 0 {
				return true
			}
		}
		return false
	}
	return pp, nil
}

func (pp *ProxPlan) node(q Query, depth int) (proxNode, error) {
	switch q := q.(type) {
	case *Term:
		return pp.leaf(q)
	case *Prox:
		if depth > maxProxLeaves {
			return nil, diag(DiagUnsupportedCombination, "proximity nested too deep")
		}
		if q.Distance < 0 || q.Distance > MaxProxDistance {
			return nil, diag(DiagUnsupportedCombination, "proximity distance %d", q.Distance)
		}
		rel := q.proxRelation()
		switch rel {
		case RelLess, RelLessEqual, RelEqual, RelGreaterEqual, RelGreater, RelNotEqual:
		default:
			return nil, diag(DiagUnsupportedRelation, "proximity relation %d", rel)
		}
		l, err := pp.node(q.Left, depth+1)
		if err != nil {
			return nil, err
		}
		r, err := pp.node(q.Right, depth+1)
		if err != nil {
			return nil, err
		}
		return proxJoin(l, r, q.Distance, rel, q.Ordered), nil
	}
	return nil, diag(DiagUnsupportedCombination, "proximity operand %s: only terms and proximity", q)
}

func (pp *ProxPlan) leaf(t *Term) (proxNode, error) {
	ix, err := ByName(t.Index)
	if err != nil {
		return nil, err
	}
	switch {
	case ix.Kind != KindText:
		return nil, diag(DiagUnsupportedCombination, "proximity in index %s, which has no words", ix.Name)
	case pp.Index == nil:
		pp.Index = ix
	case pp.Index != ix:
		return nil, diag(DiagUnsupportedCombination, "proximity across indexes %s and %s", pp.Index.Name, ix.Name)
	}
	if len(pp.Terms) == maxProxLeaves {
		return nil, diag(DiagUnsupportedCombination, "more than %d proximity terms", maxProxLeaves)
	}
	if _, err := PlanTerm(t); err != nil {
		return nil, err
	}
	pp.Terms = append(pp.Terms, t)
	switch t.Relation.orDefault() {
	case RelEqual, RelRelevance:
	default:
		return nil, diag(DiagUnsupportedCombination, "proximity operand with relation %d", t.Relation)
	}
	if t.Completeness.orDefault() != IncompleteSubfield {
		return nil, diag(DiagUnsupportedCombination, "proximity operand with completeness %d", t.Completeness)
	}
	a := attrs{tr: t.Truncation.orDefault()}
	var pats []*pattern
	if a.tr == TruncRegexp {
		p, err := regexpPattern(Normalize(t.Text))
		if err != nil {
			return nil, err
		}
		pats = []*pattern{p}
	} else {
		toks := appendTokens(nil, Normalize(t.Text), a.maskChars())
		if pats, err = tokenPatterns(toks, a.tr); err != nil {
			return nil, err
		}
	}
	n := len(pats)
	if n > 1 {
		switch t.Structure {
		case StructWordList, StructFreeForm, StructDocumentText:
			return nil, diag(DiagUnsupportedCombination, "proximity operand with structure %d and several words", t.Structure)
		}
	}
	pos := t.Position.orDefault()
	return func(flat []string, starts []int) []span {
		if n == 0 {
			return nil
		}
		var out []span
		try := func(s int) {
			if matchAt(flat, pats, s) {
				out = append(out, span{s, s + n - 1})
			}
		}
		switch pos {
		case PosFirstInField:
			try(0)
		case PosFirstInSubfield:
			for _, s := range starts {
				try(s)
			}
		default:
			for s := 0; s+n <= len(flat); s++ {
				try(s)
			}
		}
		return out
	}, nil
}

// proxJoin combines two operands: the spans covering a left and a right
// span at an accepted distance.
func proxJoin(l, r proxNode, dist int, rel Relation, ordered bool) proxNode {
	return func(flat []string, starts []int) []span {
		ls := l(flat, starts)
		if len(ls) == 0 {
			return nil
		}
		rs := r(flat, starts)
		var out []span
		for _, a := range ls {
			for _, b := range rs {
				var d int
				switch {
				case b.start > a.end:
					d = b.start - a.end
				case ordered:
					continue
				case a.start > b.end:
					d = a.start - b.end
				default:
					d = 0 // overlapping
				}
				if !compareDistance(d, rel, dist) {
					continue
				}
				out = append(out, span{min(a.start, b.start), max(a.end, b.end)})
			}
		}
		if len(out) > 1 {
			slices.SortFunc(out, func(x, y span) int {
				if c := cmp.Compare(x.start, y.start); c != 0 {
					return c
				}
				return cmp.Compare(x.end, y.end)
			})
			out = slices.Compact(out)
		}
		return out
	}
}

func compareDistance(d int, rel Relation, dist int) bool {
	switch rel {
	case RelLess:
		return d < dist
	case RelLessEqual:
		return d <= dist
	case RelEqual:
		return d == dist
	case RelGreaterEqual:
		return d >= dist
	case RelGreater:
		return d > dist
	case RelNotEqual:
		return d != dist
	}
	return false
}
