package row

import (
	"encoding/binary"
	"math"
	"sync"

	"rustydb/catalog"
	"rustydb/sqlerr"
	"rustydb/wal"
)

// recSequence is the WAL record type of a sequence reservation: u32 sequence
// id, then a zig-zag varint value. Part of the on-disk format. Sequences are
// not transactional: nextval reserves seqBatch values at a time with one
// record, appended before the commit record of any transaction that used
// them, so a crash never hands out a value twice.
const recSequence wal.RecordType = 4

const seqBatch = 32

// seqState is a sequence's position.
type seqState struct {
	mu     sync.Mutex
	last   int64 // last value handed out (valid when called)
	called bool
	logged int64 // values up to here are reserved in the log
}

func (s *Store) sequence(t *catalog.Table) *seqState {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	st := s.seqs[t.ID]
	if st == nil {
		def := t.Sequence
		st = &seqState{last: def.Value, called: def.Called, logged: def.Value}
		if !def.Called {
			st.logged = def.Start - def.Increment
		}
		s.seqs[t.ID] = st
	}
	return st
}

// NextVal advances sequence t and returns its new value. It holds the
// checkpoint lock shared, so a checkpoint records a position no value was
// handed out beyond.
func (s *Store) NextVal(t *catalog.Table) (int64, error) {
	s.ckptMu.RLock()
	defer s.ckptMu.RUnlock()
	def := t.Sequence
	st := s.sequence(t)
	st.mu.Lock()
	defer st.mu.Unlock()
	v, wrapped := def.Start, false
	if st.called {
		next, overflow := addOverflows(st.last, def.Increment)
		switch {
		case !overflow && next >= def.Min && next <= def.Max:
			v = next
		case !def.Cycle && def.Increment > 0:
			return 0, sqlerr.New("2200H", "nextval: reached maximum value of sequence %q (%d)", t.Name, def.Max)
		case !def.Cycle:
			return 0, sqlerr.New("2200H", "nextval: reached minimum value of sequence %q (%d)", t.Name, def.Min)
		case def.Increment > 0:
			v, wrapped = def.Min, true
		default:
			v, wrapped = def.Max, true
		}
	}
	beyond := (def.Increment > 0 && v > st.logged) || (def.Increment < 0 && v < st.logged)
	if wrapped || beyond {
		reserve := v
		for i := 1; i < seqBatch; i++ {
			n, overflow := addOverflows(reserve, def.Increment)
			if overflow || n < def.Min || n > def.Max {
				break
			}
			reserve = n
		}
		if err := s.logSequence(t.ID, reserve); err != nil {
			return 0, err
		}
		st.logged = reserve
	}
	st.last, st.called = v, true
	return v, nil
}

// SetVal sets sequence t's position, as setval does.
func (s *Store) SetVal(t *catalog.Table, v int64, called bool) error {
	def := t.Sequence
	if v < def.Min || v > def.Max {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "setval: value %d is out of bounds for sequence %q (%d..%d)", v, t.Name, def.Min, def.Max)
	}
	s.ckptMu.RLock()
	defer s.ckptMu.RUnlock()
	st := s.sequence(t)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.logSequence(t.ID, v); err != nil {
		return err
	}
	st.last, st.called, st.logged = v, called, v
	if !called {
		st.logged = v - def.Increment
	}
	return nil
}

// logSequence appends a reservation record; the caller holds ckptMu shared.
func (s *Store) logSequence(id uint32, v int64) error {
	buf := binary.LittleEndian.AppendUint32(nil, id)
	buf = binary.AppendVarint(buf, v)
	_, err := s.log.Append(0, recSequence, buf)
	return err
}

// redoSequence applies a reservation record during recovery.
func (s *Store) redoSequence(data []byte) error {
	if len(data) < 5 {
		return errCorrupt
	}
	id := binary.LittleEndian.Uint32(data)
	v, k := binary.Varint(data[4:])
	if k <= 0 {
		return errCorrupt
	}
	st := s.seqs[id]
	if st == nil {
		st = &seqState{}
		s.seqs[id] = st
	}
	st.last, st.called, st.logged = v, true, v
	return nil
}

// sequenceForCheckpoint returns t with its current state filled in: the
// last value handed out, so a restart continues right after it. The caller
// holds ckptMu, so no nextval runs meanwhile.
func (s *Store) sequenceForCheckpoint(t *catalog.Table) *catalog.Table {
	s.seqMu.Lock()
	st := s.seqs[t.ID]
	s.seqMu.Unlock()
	if st == nil {
		return t
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	c := *t
	seq := *t.Sequence
	seq.Value, seq.Called = st.last, st.called
	if !st.called {
		seq.Value = 0
	}
	c.Sequence = &seq
	return &c
}

func addOverflows(a, b int64) (int64, bool) {
	r := a + b
	return r, (b > 0 && r < a) || (b < 0 && r > a) || (b > 0 && a > math.MaxInt64-b)
}
