package row

import (
	"math"
	"math/rand/v2"
	"slices"

	"rustydb/catalog"
	"rustydb/txn"
	"rustydb/types"
)

// AnalyzeSampleRows is how many rows ANALYZE reads at most per table:
// PostgreSQL's 300 × default_statistics_target (100). Tables with no more
// visible rows than this are measured exactly.
const AnalyzeSampleRows = 30000

// sampleVisible counts the versions visible to snap and picks k of them
// uniformly at random (all of them when there are no more than k), by
// reservoir sampling in one pass (Li's Algorithm L, which draws random
// numbers only for the rows it keeps). It returns the chosen positions in
// versions in ascending order, so that reading them visits pages in order,
// and the exact number of visible versions.
func sampleVisible(versions []*Version, snap *txn.Snapshot, k int, rng *rand.Rand) ([]int, int64) {
	// uniform returns a number in (0, 1), so that its logarithm is finite
	// and negative.
	uniform := func() float64 {
		for {
			if u := rng.Float64(); u > 0 {
				return u
			}
		}
	}
	reservoir := make([]int, 0, min(k, len(versions)))
	var seen int64 // visible versions so far
	var w float64
	var next int64 // the 1-based visible ordinal to take next, past the first k
	for i, v := range versions {
		if !v.VisibleTo(snap) {
			continue
		}
		seen++
		if len(reservoir) < k {
			reservoir = append(reservoir, i)
			if len(reservoir) == k {
				w = math.Exp(math.Log(uniform()) / float64(k))
				next = seen + skip(w, uniform()) + 1
			}
			continue
		}
		if seen < next {
			continue
		}
		reservoir[rng.IntN(k)] = i
		w *= math.Exp(math.Log(uniform()) / float64(k))
		next = seen + skip(w, uniform()) + 1
	}
	slices.Sort(reservoir)
	return reservoir, seen
}

// skip is Algorithm L's number of rows to pass over: floor(log(u)/log(1-w)),
// saturated so that it never overflows.
func skip(w, u float64) int64 {
	s := math.Floor(math.Log(u) / math.Log1p(-w))
	switch {
	case s >= 1<<62:
		return 1 << 62
	case s >= 0:
		return int64(s)
	}
	return 0 // NaN or negative, from w rounding to 0 or 1

}

// columnSampler gathers one column's figures over the sampled rows.
type columnSampler struct {
	nulls    int64
	nonNull  int64
	min, max types.Value
}

func (c *columnSampler) add(val types.Value) {
	if val.IsNull() {
		c.nulls++
		return
	}
	c.nonNull++
	if c.min.IsNull() || types.Compare(val, c.min) < 0 {
		c.min = val
	}
	if c.max.IsNull() || types.Compare(val, c.max) > 0 {
		c.max = val
	}
}

// haasStokes estimates the number of distinct values among total rows from
// a sample of n rows that held d distinct values, f1 of them exactly once
// (Haas and Stokes's Duj1 estimator, as PostgreSQL's ANALYZE uses it):
// n·d / (n − f1 + f1·n/total), kept between d and total and rounded.
func haasStokes(n, d, f1 int64, total float64) int64 {
	if n <= 0 || d <= 0 || total <= 0 {
		return 0
	}
	fn, fd, ff1 := float64(n), float64(d), float64(f1)
	est := fn * fd / (fn - ff1 + ff1*fn/total)
	if est < fd || math.IsNaN(est) {
		est = fd
	}
	if est > total {
		est = total
	}
	return int64(math.Floor(est + 0.5))
}

// sampleStats computes table statistics from the sampled rows (their values),
// given the exact number of visible rows.
func sampleStats(ncols int, sample [][]types.Value, rows int64) catalog.TableStats {
	st := catalog.TableStats{Rows: rows, Columns: make([]catalog.ColumnStats, ncols)}
	n := int64(len(sample))
	exact := n == rows // every visible row was read
	counts := map[string]int32{}
	var key []byte
	for i := range st.Columns {
		var c columnSampler
		clear(counts)
		for _, vals := range sample {
			if i >= len(vals) {
				continue
			}
			val := vals[i]
			c.add(val)
			if val.IsNull() {
				continue
			}
			key = val.HashKey(key[:0])
			if cnt, ok := counts[string(key)]; ok {
				counts[string(key)] = cnt + 1
			} else {
				counts[string(key)] = 1
			}
		}
		cs := &st.Columns[i]
		cs.Min, cs.Max = c.min, c.max
		if n > 0 {
			cs.NullFrac = float64(c.nulls) / float64(n)
		}
		d := int64(len(counts))
		if exact {
			cs.Distinct = d
			continue
		}
		var f1 int64
		for _, cnt := range counts {
			if cnt == 1 {
				f1++
			}
		}
		// The estimator works on the non-null values: the sample's and the
		// table's estimated share of them.
		total := float64(rows) * float64(c.nonNull) / float64(n)
		cs.Distinct = haasStokes(c.nonNull, d, f1, total)
	}
	return st
}
