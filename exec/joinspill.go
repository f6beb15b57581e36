package exec

// Grace hash join: when the rows a hash join builds its table of pass
// work_mem, it writes them, and then all its streamed rows, to
// spillPartitions temporary files each, by the hash of the join key, and
// joins partition i of one side with partition i of the other, one pair
// at a time, with the in-memory code (joinRows). Rows with equal keys
// share a partition, so every match is found; rows with a NULL key match
// nothing in any partition, so they are dealt round the partitions, where
// the join outputs them as it does in memory (a left join's streamed
// rows, a full join's rows of both sides, an anti join's rows). A built
// partition that still passes work_mem is split again with a new hash
// seed, up to maxSpillDepth times; one whose rows share a key cannot be
// split and is joined in memory whatever it takes.
//
// Output order differs from the in-memory join's, which SQL leaves open.

import (
	"encoding/binary"

	"rustydb/types"
)

// graceJoin is the state of a join that spilled.
type graceJoin struct {
	build, stream *partitioner // being written
	input         Operator     // the streamed input, which j.stream replaces
	// pending are the pairs of partitions left to join, cur the one being
	// joined.
	pending []gracePair
	cur     *gracePair
	buf     []byte
	nulls   int // rows with a NULL key, dealt round the partitions
}

// gracePair is partition i of both sides; depth counts the splits that
// made it (0: of the inputs), maxSpillDepth for one not to split again.
type gracePair struct {
	build, stream *spillFile
	depth         int
}

func (p *gracePair) remove() {
	p.build.remove()
	p.stream.remove()
}

// newPartitioners starts a partitioning of both sides into n pairs.
func (j *joinOp) newPartitioners(n int) {
	b, s := j.c.newPartitioner(j.node, n), j.c.newPartitioner(j.node, n)
	s.seed = b.seed // both sides must hash a key alike
	j.grace.build, j.grace.stream = b, s
}

// endPartitioning queues the pairs of the partitioning just written.
func (g *graceJoin) endPartitioning(j *joinOp, depth int) {
	for i, b := range g.build.parts {
		pair := gracePair{b, g.stream.parts[i], depth}
		if b.rows == 0 && pair.stream.rows == 0 {
			pair.remove()
			continue
		}
		g.pending = append(g.pending, pair)
	}
	g.build.parts, g.stream.parts = nil, nil
}

// startGrace moves the rows built so far to partitions; the rest of the
// built input follows them (graceJoin.add).
func (j *joinOp) startGrace() error {
	j.grace = &graceJoin{input: j.stream}
	j.newPartitioners(spillPartitions)
	j.c.noteMemory(j.node, rowBytes(j.built))
	for _, r := range j.built {
		if err := j.grace.add(j, j.grace.build, j.buildKeys, r); err != nil {
			return err
		}
	}
	j.built = nil
	return nil
}

// add writes row r to its partition of p by the keys fns compute.
func (g *graceJoin) add(j *joinOp, p *partitioner, fns []evalFn, r []types.Value) error {
	k, ok, err := j.key(fns, r)
	if err != nil {
		return err
	}
	var part int
	switch {
	case !ok: // a NULL key matches nothing, in whichever partition
		g.nulls++
		part = g.nulls % len(p.parts)
	case j.intKeys:
		g.buf = intKeyBytes(g.buf, k)
		part = p.part(g.buf)
	case j.pairKeys:
		g.buf = binary.LittleEndian.AppendUint64(intKeyBytes(g.buf, j.pair[0]), uint64(j.pair[1]))
		part = p.part(g.buf)
	default:
		part = p.part(j.buf)
	}
	if err := p.parts[part].write(r); err != nil {
		return err
	}
	return j.c.canceled()
}

// partitionStream writes the streamed input to its partitions and starts
// joining the first pair.
func (j *joinOp) partitionStream() error {
	g := j.grace
	for {
		r, err := g.input.Next()
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		if err := g.add(j, g.stream, j.streamKeys, r); err != nil {
			return err
		}
	}
	g.endPartitioning(j, 0)
	_, err := j.nextPartition()
	return err
}

// nextPartition loads the next pair of partitions: the built one into the
// hash table, the streamed one as j.stream. A built partition that passes
// work_mem is split in turn, with a new seed, unless splitting did not
// help (one key holds its rows). It reports false when no pair is left.
func (j *joinOp) nextPartition() (bool, error) {
	g := j.grace
	if g.cur != nil { // the pair done
		g.cur.remove()
		g.cur = nil
	}
	for len(g.pending) > 0 {
		p := g.pending[len(g.pending)-1]
		g.pending = g.pending[:len(g.pending)-1]
		g.cur = &p
		var bytes int64
		j.built = j.built[:0]
		err := readSpill(p.build, func(r []types.Value) error {
			j.built = append(j.built, r)
			bytes += rowSize(r)
			return nil
		})
		if err != nil {
			return false, err
		}
		if j.c.overWorkMem(bytes) && p.depth < maxSpillDepth {
			j.built = nil
			if err := j.split(p, bytes); err != nil {
				return false, err
			}
			p.remove()
			g.cur = nil
			continue
		}
		if err := j.index(); err != nil {
			return false, err
		}
		if err := p.stream.rewind(); err != nil {
			return false, err
		}
		j.stream, j.cur, j.leftDone, j.tail = &spillReader{p.stream}, nil, false, 0
		if j.buildLeft && j.semi() {
			return true, j.markMatches()
		}
		return true, nil
	}
	return false, nil
}

// split partitions pair p, whose built rows take bytes, anew: into
// twice as many pairs as work_mem would need, at most spillPartitions.
func (j *joinOp) split(p gracePair, bytes int64) error {
	g := j.grace
	j.newPartitioners(int(min(spillPartitions, 2*(bytes/j.c.WorkMem+1))))
	err := readSpill(p.build, func(r []types.Value) error { return g.add(j, g.build, j.buildKeys, r) })
	if err == nil {
		err = readSpill(p.stream, func(r []types.Value) error { return g.add(j, g.stream, j.streamKeys, r) })
	}
	if err != nil {
		g.build.remove()
		g.stream.remove()
		return err
	}
	depth := p.depth + 1
	for _, b := range g.build.parts {
		if b.rows == p.build.rows { // one key: splitting again would not help
			depth = maxSpillDepth
		}
	}
	g.endPartitioning(j, depth)
	return nil
}

// endGrace removes a spilled join's files and gives it back its streamed
// input.
func (j *joinOp) endGrace() {
	if g := j.grace; g != nil {
		g.build.remove()
		g.stream.remove()
		for _, p := range g.pending {
			p.remove()
		}
		if g.cur != nil {
			g.cur.remove()
		}
		j.stream, j.grace = g.input, nil
	}
}

func (j *joinOp) Next() ([]types.Value, error) {
	for {
		r, err := j.joinRows()
		if r != nil || err != nil || j.grace == nil {
			return r, err
		}
		if more, err := j.nextPartition(); !more || err != nil {
			return nil, err
		}
	}
}

// spillReader hands out the rows of a temporary file as an operator.
type spillReader struct{ f *spillFile }

func (r *spillReader) Init() error                  { return nil }
func (r *spillReader) Next() ([]types.Value, error) { return r.f.read() }
func (r *spillReader) Close()                       {}
