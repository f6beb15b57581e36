package exec

// Grace hash join: when the rows a hash join builds its table of pass
// work_mem, it writes them, and then all its streamed rows, to
// spillPartitions temporary files each, by the hash of the join key, and
// joins partition i of one side with partition i of the other, one pair
// at a time, with the in-memory code (joinRows). Rows with equal keys
// share a partition, so every match is found; rows with a NULL key match
// nothing in any partition, so they are dealt round the partitions, where
// the join outputs them as it does in memory (a left join's streamed
// rows, a full join's rows of both sides, an anti join's rows). Partitions are not split further: one that
// still passes work_mem (many rows of one key) is joined in memory.
//
// Output order differs from the in-memory join's, which SQL leaves open.

import (
	"encoding/binary"

	"rustydb/types"
)

// graceJoin is the state of a join that spilled.
type graceJoin struct {
	build, stream *partitioner
	input         Operator // the streamed input, which j.stream replaces
	at            int      // the partition being joined
	buf           []byte
	nulls         int // rows with a NULL key, dealt round the partitions
}

// startGrace moves the rows built so far to partitions; the rest of the
// built input follows them (graceJoin.add).
func (j *joinOp) startGrace() error {
	b, err := j.c.newPartitioner()
	if err != nil {
		return err
	}
	s, err := j.c.newPartitioner()
	if err != nil {
		b.remove()
		return err
	}
	s.seed = b.seed // both sides must hash a key alike
	j.grace = &graceJoin{build: b, stream: s, input: j.stream, at: -1}
	j.c.noteMemory(j.node, rowBytes(j.built))
	for _, r := range j.built {
		if err := j.grace.add(j, b, j.buildKeys, r); err != nil {
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
		part = g.nulls % spillPartitions
	case j.intKeys:
		g.buf = intKeyBytes(g.buf, k)
		part = p.part(g.buf)
	case j.pairKeys:
		g.buf = binary.LittleEndian.AppendUint64(intKeyBytes(g.buf, j.pair[0]), uint64(j.pair[1]))
		part = p.part(g.buf)
	default:
		part = p.part(j.buf)
	}
	if err := p.write(part, r); err != nil {
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
	j.c.noteDisk(j.node, g.build.bytes+g.stream.bytes)
	_, err := j.nextPartition()
	return err
}

// nextPartition loads the next pair of partitions that has rows to join:
// the built one into the hash table, the streamed one as j.stream. It
// reports false when none is left.
func (j *joinOp) nextPartition() (bool, error) {
	g := j.grace
	if g.at == spillPartitions {
		return false, nil
	}
	if g.at >= 0 { // the pair done
		g.build.parts[g.at].remove()
		g.stream.parts[g.at].remove()
	}
	for g.at++; g.at < spillPartitions; g.at++ {
		b, s := g.build.parts[g.at], g.stream.parts[g.at]
		if b.rows > 0 || s.rows > 0 {
			break
		}
	}
	if g.at == spillPartitions {
		return false, nil
	}
	b, s := g.build.parts[g.at], g.stream.parts[g.at]
	if err := b.rewind(); err != nil {
		return false, err
	}
	if err := s.rewind(); err != nil {
		return false, err
	}
	j.built = j.built[:0]
	for {
		r, err := b.read()
		if err != nil {
			return false, err
		}
		if r == nil {
			break
		}
		j.built = append(j.built, r)
	}
	if err := j.index(); err != nil {
		return false, err
	}
	j.stream, j.cur, j.leftDone, j.tail = &spillReader{s}, nil, false, 0
	if j.buildLeft && j.semi() {
		return true, j.markMatches()
	}
	return true, nil
}

// endGrace removes a spilled join's files and gives it back its streamed
// input.
func (j *joinOp) endGrace() {
	if g := j.grace; g != nil {
		g.build.remove()
		g.stream.remove()
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
