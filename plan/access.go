package plan

import (
	"math"
	"slices"
	"strings"

	"rustydb/catalog"
	"rustydb/sql"
	"rustydb/types"
)

// IndexRange is an access path through one of a table's B+tree indexes: the
// rows whose leading key columns equal Values and whose next key column lies
// within Lo and Hi (nil: unbounded). The scan's filter still applies to every
// row it returns.
type IndexRange struct {
	Key    int    // index into Table.IndexKeys()
	Name   string // the index's name, for EXPLAIN
	Values []Expr // one per leading key column, constant for the statement
	Lo, Hi *RangeBound
	// The filter condition the range was chosen from, the conjuncts of it
	// the range was made from, and the others; see Residual.
	from     Expr
	covers   []Expr
	residual Expr
}

// Residual returns what a filter with condition cond over a scan through r
// must still check, when r was chosen from cond: the range holds exactly the
// rows that satisfy the comparisons it was made from (chooseIndex takes only
// values whose type converts to the key column's without loss), so only the
// other conjuncts remain (nil: none). ok is false when r was not chosen from
// cond; then all of cond must be checked.
func (r *IndexRange) Residual(cond Expr) (rest Expr, ok bool) {
	if r == nil || r.from == nil || r.from != cond {
		return cond, false
	}
	return r.residual, true
}

// RangeBound is one end of an IndexRange.
type RangeBound struct {
	Value     Expr
	Inclusive bool
}

// AccessHint is what the statement's optimizer hints say about one table:
// FULL(t) or NO_INDEX(t) forces a table scan, INDEX(t idx ...) restricts the
// choice to the named indexes and uses one even when no predicate helps.
type AccessHint struct {
	Full    bool
	Indexes []string
}

// accessHint collects the hints that name a table by its alias or name.
func accessHint(hints []sql.Hint, t *catalog.Table, alias string) AccessHint {
	var h AccessHint
	for _, x := range hints {
		if len(x.Args) == 0 || !strings.EqualFold(x.Args[0], alias) && !strings.EqualFold(x.Args[0], t.Name) {
			continue
		}
		switch x.Name {
		case "FULL", "NO_INDEX":
			h.Full = true
		case "INDEX":
			for _, name := range x.Args[1:] {
				h.Indexes = append(h.Indexes, strings.ToLower(name))
			}
			if len(x.Args) == 1 {
				h.Indexes = append(h.Indexes, t.IndexNames()...)
			}
		}
	}
	return h
}

// predicate is what a filter says about one column: an equality with a
// statement constant, or bounds.
type predicate struct {
	eq     Expr
	lo, hi *RangeBound
	// the conjuncts eq, lo and hi come from
	eqFrom, loFrom, hiFrom Expr
}

// chooseIndex picks the index of t that narrows a scan filtered by cond the
// most: a uniqueness key pinned by equalities first, then the index with the
// most leading columns pinned, a range on the next one counting for less than
// another equality. It returns nil when no index helps, when ANALYZE's
// statistics say the range holds so much of the table that reading it in
// index order would cost more than a scan, or when hint forbids an index.
func chooseIndex(t *catalog.Table, cond Expr, hint AccessHint, stats *catalog.TableStats) *IndexRange {
	if hint.Full {
		return nil
	}
	preds := map[int]*predicate{}
	for _, c := range conjuncts(cond, nil) {
		b, ok := c.(*Binary)
		if !ok {
			continue
		}
		op, col, val := b.Op, b.L, b.R
		if _, isCol := col.(*ColRef); !isCol {
			op, col, val = flipComparison(op), val, col
		}
		ref, isCol := col.(*ColRef)
		if !isCol || !isConstant(val) || ref.T != t.Columns[ref.Idx].Type || !losslessKey(val.Type(), ref.T) {
			continue
		}
		p := preds[ref.Idx]
		if p == nil {
			p = &predicate{}
			preds[ref.Idx] = p
		}
		switch op {
		case "=":
			p.eq, p.eqFrom = val, c
		case ">", ">=":
			p.lo, p.loFrom = &RangeBound{Value: val, Inclusive: op == ">="}, c
		case "<", "<=":
			p.hi, p.hiFrom = &RangeBound{Value: val, Inclusive: op == "<="}, c
		}
	}
	names := t.IndexNames()
	unique := len(t.Keys())
	var best *IndexRange
	bestScore := 0
	for k, cols := range t.IndexKeys() {
		hinted := slices.Contains(hint.Indexes, names[k])
		if len(hint.Indexes) > 0 && !hinted {
			continue
		}
		r := &IndexRange{Key: k, Name: names[k]}
		for _, c := range cols {
			p := preds[c]
			if p == nil || p.eq == nil {
				break
			}
			r.Values = append(r.Values, p.eq)
			r.covers = append(r.covers, p.eqFrom)
		}
		score := 10 * len(r.Values)
		switch {
		case len(r.Values) == len(cols) && k < unique:
			score = 1000
		case len(r.Values) < len(cols) && preds[cols[len(r.Values)]] != nil:
			p := preds[cols[len(r.Values)]]
			r.Lo, r.Hi = p.lo, p.hi
			if r.Lo != nil {
				score += 3
				r.covers = append(r.covers, p.loFrom)
			}
			if r.Hi != nil {
				score += 3
				r.covers = append(r.covers, p.hiFrom)
			}
		}
		if hinted {
			score++ // a hinted index is used even when nothing narrows it
		} else if score < 1000 && selectivity(t, r, stats) > maxIndexSelectivity {
			continue
		}
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

// losslessKey reports whether every value of type v converts to key column
// type k without change, so that an index range read with the converted
// value holds exactly the rows the comparison accepts (2999.5 made an
// integer would not, nor a bigint beyond an integer column's range).
func losslessKey(v, k types.T) bool {
	if v == k {
		return true
	}
	return intWidth[v.ID] > 0 && intWidth[k.ID] >= intWidth[v.ID]
}

var intWidth = map[types.ID]int{types.Int2: 2, types.Int4: 4, types.Int8: 8}

// maxIndexSelectivity is the largest estimated fraction of a table an
// index range may hold before a table scan is chosen instead.
const maxIndexSelectivity = 0.3

// selectivity estimates the fraction of t's rows in index range r from
// ANALYZE's statistics: 1/distinct per equality, and for a range the part
// of the column's [min, max] span it covers (a third per bound whose value
// is not a constant). It is 0 (no estimate) without statistics.
func selectivity(t *catalog.Table, r *IndexRange, stats *catalog.TableStats) float64 {
	if stats == nil || stats.Rows == 0 {
		return 0
	}
	cols := t.IndexKeys()[r.Key]
	sel := 1.0
	for i := range r.Values {
		if d := stats.Columns[cols[i]].Distinct; d > 0 {
			sel /= float64(d)
		}
	}
	if r.Lo == nil && r.Hi == nil {
		return sel
	}
	cs := stats.Columns[cols[len(r.Values)]]
	min, okMin := spanPoint(cs.Min)
	max, okMax := spanPoint(cs.Max)
	if !okMin || !okMax || max <= min {
		return sel / 3
	}
	lo, hi := min, max
	for _, b := range []*RangeBound{r.Lo, r.Hi} {
		if b == nil {
			continue
		}
		c, ok := b.Value.(*Const)
		v, isNum := 0.0, false
		if ok {
			v, isNum = spanPoint(c.V)
		}
		switch {
		case !isNum:
			sel /= 3
		case b == r.Lo:
			lo = math.Max(lo, v)
		default:
			hi = math.Min(hi, v)
		}
	}
	return sel * math.Max(0, math.Min(1, (hi-lo)/(max-min)))
}

// spanPoint places an ordered value on a line, for range estimates.
func spanPoint(v types.Value) (float64, bool) {
	switch v.K {
	case types.KInt, types.KDate, types.KTimestamp:
		return float64(v.I), true
	case types.KFloat:
		return v.F, true
	case types.KDecimal:
		f, err := v.D.Float64()
		return f, err == nil
	}
	return 0, false
}

func flipComparison(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// isConstant reports whether e has the same value for every row of a statement.
func isConstant(e Expr) bool {
	switch e := e.(type) {
	case *Const, *Param, *OuterRef:
		return true
	case *Cast:
		return isConstant(e.X)
	}
	return false
}

// chooseAccess gives every table scan in the tree an index range when its
// filter or its hint makes one worthwhile.
func chooseAccess(n Node) {
	walkNodes(n, func(x Node) {
		switch x := x.(type) {
		case *Filter:
			if s, ok := x.Input.(*Scan); ok {
				if s.Lookup = chooseIndex(s.Table, x.Cond, s.Hint, s.Stats); s.Lookup != nil {
					s.Lookup.from, s.Lookup.residual = x.Cond, uncovered(x.Cond, s.Lookup)
				}
			}
		case *Scan:
			if x.Lookup == nil && len(x.Hint.Indexes) > 0 {
				x.Lookup = chooseIndex(x.Table, nil, x.Hint, x.Stats)
			}
		}
	})
}
