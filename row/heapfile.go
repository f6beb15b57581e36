package row

import (
	"cmp"
	"encoding/binary"
	"slices"

	"rustydb/sqlerr"
	"rustydb/types"
)

// tid locates a tuple: its block in the table's heap file and its slot.
type tid struct {
	block uint32
	slot  uint16
}

// pages is a heap's file of slotted pages in the buffer pool: where tuples
// go, what room each page has, and which slots and blocks wait to be
// reused. The heap's mutex guards it; the page latches guard the pages.
type pages struct {
	pool   *bufferPool
	table  uint32
	blocks uint32   // blocks in the file
	room   []uint16 // per block: free bytes for a tuple (0 for overflow pages)
	target uint32   // the block inserts try first
	// freeBlocks are overflow blocks no tuple uses, to reuse for new pages.
	freeBlocks []uint32
	// pendingFree are the slots of removed versions. The last checkpoint may
	// still name them, so they are emptied only after the next one.
	pendingFree []tid
	// building is where store assembles a tuple before copying it to its page.
	building []byte
}

// spillThreshold is the encoded size above which a text or numeric value of
// a too-long tuple moves to overflow pages.
const spillThreshold = 200

// store writes a tuple for row id with vals and returns where it went. row
// is vals encoded by AppendRow, or nil to encode them here. held, when not
// nil, is a frame the caller keeps pinned from one store to the next (see
// pin).
func (ps *pages) store(id uint64, vals []types.Value, row []byte, held *heldFrame) (tid, error) {
	t := binary.AppendUvarint(ps.building[:0], id)
	if row != nil {
		t = append(t, row...)
	} else {
		t = AppendRow(t, vals)
	}
	ps.building = t
	if len(t) > maxTupleSize {
		var err error
		if t, err = ps.spill(id, vals); err != nil {
			return tid{}, err
		}
	}
	block, fresh, err := ps.blockFor(len(t) + slotSize)
	if err != nil {
		return tid{}, err
	}
	f, err := ps.pin(pageID{ps.table, block}, fresh, held)
	if err != nil {
		return tid{}, err
	}
	if held == nil {
		defer ps.pool.release(f)
	}
	f.latch.Lock()
	defer f.latch.Unlock()
	p := f.data
	if fresh || p.kind() == 0 {
		initPage(p, pageKindHeap, ps.table, block)
	}
	slot := p.insert(t)
	ps.room[block] = uint16(p.freeSpace())
	f.modified()
	return tid{block, uint16(slot)}, nil
}

// heldFrame is a frame kept pinned from one store to the next: a
// transaction's inserts mostly go to one page, which then needs neither the
// pool's lock nor its table for each row. The hits it serves are counted
// in the pool's when it is released.
type heldFrame struct {
	f    *frame
	hits uint64
}

// release unpins the held frame, if any.
func (h *heldFrame) release(bp *bufferPool) {
	if h.f != nil {
		bp.hits.Add(h.hits)
		bp.release(h.f)
	}
	*h = heldFrame{}
}

// pin returns page id's frame, pinned. With held it is held's frame when
// that holds the page already, and otherwise the pin held has is traded for
// the new frame's, which held then keeps.
func (ps *pages) pin(id pageID, fresh bool, held *heldFrame) (*frame, error) {
	if held == nil {
		return ps.pool.get(id, fresh, false)
	}
	if f := held.f; f != nil {
		if f.id == id { // pinned, so its page cannot change
			held.hits++
			return f, nil
		}
		held.release(ps.pool)
	}
	f, err := ps.pool.get(id, fresh, false)
	if err == nil {
		held.f = f
	}
	return f, err
}

// spill encodes a tuple whose longest values go to overflow pages until it
// fits in maxTupleSize.
func (ps *pages) spill(id uint64, vals []types.Value) ([]byte, error) {
	out := make([]bool, len(vals))
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	enc := func(v types.Value) []byte { return appendValue(nil, v) }
	slices.SortFunc(order, func(a, b int) int { return len(enc(vals[b])) - len(enc(vals[a])) })
	size := len(AppendRow(binary.AppendUvarint(nil, id), vals))
	for _, i := range order {
		if size <= maxTupleSize {
			break
		}
		if spillable(vals[i].K) && len(enc(vals[i])) > spillThreshold {
			out[i] = true
			size -= len(enc(vals[i])) - 16
		}
	}
	if size > maxTupleSize {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "row is too big: size %d, maximum size %d", size, maxTupleSize).
			WithHint("Too many columns hold long non-text values.")
	}
	t := binary.AppendUvarint(nil, id)
	t = binary.AppendUvarint(t, uint64(len(vals)))
	for i, v := range vals {
		if !out[i] {
			t = appendValue(t, v)
			continue
		}
		kind, data := byte(encText), v.S
		switch v.K {
		case types.KDecimal:
			kind, data = encDecimal, v.D.Text('f')
		case types.KBytes:
			kind = encBytea
		case types.KJSON:
			kind = encJSON
		case types.KJSONB:
			kind = encJSONB
		}
		first, err := ps.writeOverflow([]byte(data))
		if err != nil {
			return nil, err
		}
		t = binary.AppendUvarint(append(t, encExternal), uint64(len(data)))
		t = binary.LittleEndian.AppendUint32(t, first)
		t = append(t, kind)
	}
	return t, nil
}

// spillable reports whether values of kind k may move to overflow pages:
// the variable-length kinds that grow large.
func spillable(k types.Kind) bool {
	switch k {
	case types.KText, types.KBytes, types.KDecimal, types.KJSON, types.KJSONB:
		return true
	}
	return false
}

// writeOverflow stores data in a chain of overflow pages, written back to
// front so each page can name the next, and returns the first block.
func (ps *pages) writeOverflow(data []byte) (uint32, error) {
	next := uint32(noPage)
	chunks := (len(data) + overflowData - 1) / overflowData
	for c := chunks - 1; c >= 0; c-- {
		block, fresh := ps.newBlock()
		f, err := ps.pool.get(pageID{ps.table, block}, fresh, false)
		if err != nil {
			return 0, err
		}
		f.latch.Lock()
		initPage(f.data, pageKindOverflow, ps.table, block)
		f.data.setOverflow(data[c*overflowData:min(len(data), (c+1)*overflowData)], next)
		f.modified()
		f.latch.Unlock()
		ps.pool.release(f)
		ps.room[block] = 0
		next = block
	}
	return next, nil
}

// readOverflow reads n bytes of the chain starting at first.
func (ps *pages) readOverflow(first uint32, n int) ([]byte, error) {
	data := make([]byte, 0, n)
	for block := first; block != noPage && len(data) < n; {
		f, err := ps.pool.get(pageID{ps.table, block}, false, false)
		if err != nil {
			return nil, err
		}
		f.latch.RLock()
		ok := f.data.kind() == pageKindOverflow
		data = append(data, f.data.overflow()...)
		block = f.data.next()
		f.latch.RUnlock()
		ps.pool.release(f)
		if !ok {
			return nil, errCorrupt
		}
	}
	if len(data) != n {
		return nil, errCorrupt
	}
	return data, nil
}

// overflowBlocks returns the overflow chains a tuple uses.
func (ps *pages) overflowBlocks(t []byte) []uint32 {
	_, k := binary.Uvarint(t)
	if k <= 0 {
		return nil
	}
	firsts, _ := externalFirsts(t[k:])
	return ps.chains(firsts)
}

// chains returns the blocks of the overflow chains that start at firsts.
func (ps *pages) chains(firsts []uint32) []uint32 {
	var blocks []uint32
	for _, first := range firsts {
		for block := first; block != noPage; {
			f, err := ps.pool.get(pageID{ps.table, block}, false, false)
			if err != nil {
				break
			}
			f.latch.RLock()
			next := f.data.next()
			f.latch.RUnlock()
			ps.pool.release(f)
			blocks = append(blocks, block)
			block = next
		}
	}
	return blocks
}

// blockFor returns a block with room for need bytes, or a new one.
func (ps *pages) blockFor(need int) (block uint32, fresh bool, err error) {
	if ps.target < ps.blocks && int(ps.room[ps.target]) >= need {
		return ps.target, false, nil
	}
	// Look back over a few recent blocks (deletes free room there) before
	// extending the file, so inserts never scan the whole table.
	for b := ps.blocks; b > 0 && b+16 > ps.blocks; b-- {
		if int(ps.room[b-1]) >= need {
			ps.target = b - 1
			return b - 1, false, nil
		}
	}
	block, fresh = ps.newBlock()
	ps.target = block
	return block, fresh, nil
}

// newBlock returns a free overflow block to reuse, or extends the file.
func (ps *pages) newBlock() (uint32, bool) {
	if n := len(ps.freeBlocks); n > 0 {
		b := ps.freeBlocks[n-1]
		ps.freeBlocks = ps.freeBlocks[:n-1]
		return b, true
	}
	ps.blocks++
	ps.room = append(ps.room, 0)
	return ps.blocks - 1, true
}

// tuple calls fn with the bytes of the tuple at t, under the page's read latch.
func (ps *pages) tuple(t tid, cold bool, fn func([]byte) error) error {
	f, err := ps.pool.get(pageID{ps.table, t.block}, false, cold)
	if err != nil {
		return err
	}
	defer ps.pool.release(f)
	f.latch.RLock()
	defer f.latch.RUnlock()
	b := f.data.tuple(int(t.slot))
	if b == nil {
		return sqlerr.New(sqlerr.DataCorrupted, "missing tuple (%d,%d) in relation file %s", t.block, t.slot, heapPath(ps.pool.dir, ps.table))
	}
	return fn(b)
}

// values returns the row stored at t.
func (ps *pages) values(t tid, cold bool) ([]types.Value, error) {
	f, err := ps.pool.get(pageID{ps.table, t.block}, false, cold)
	if err != nil {
		return nil, err
	}
	defer ps.pool.release(f)
	f.latch.RLock()
	defer f.latch.RUnlock()
	return ps.decodeTuple(f, t)
}

// decodeTuple returns the row in slot t.slot of f's page, from the frame's
// cache of decoded rows when it is there. Caller holds f.latch shared.
func (ps *pages) decodeTuple(f *frame, t tid) ([]types.Value, error) {
	vals, err := f.cachedRow(int(t.slot), func() ([]types.Value, error) {
		b := f.data.tuple(int(t.slot))
		_, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errCorrupt
		}
		vals, _, err := decodeRow(b[k:], ps.readOverflow)
		return vals, err
	})
	if err == errCorrupt {
		return nil, ps.corrupt(t)
	}
	return vals, err
}

// decodeColumnsInto returns the columns want marks of the row in slot t.slot
// of f's page: from the frame's decoded rows when it is there, otherwise
// decoded alone, into into's memory when it has room, and not kept. Caller
// holds f.latch shared.
func (ps *pages) decodeColumnsInto(f *frame, t tid, want []bool, into []types.Value) ([]types.Value, error) {
	if rows := f.rows.Load(); rows != nil && int(t.slot) < len(*rows) {
		if vals := (*rows)[t.slot].Load(); vals != nil {
			return *vals, nil
		}
	}
	b := f.data.tuple(int(t.slot))
	_, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, ps.corrupt(t)
	}
	vals, _, err := decodeColumnsNoting(b[k:], ps.readOverflow, want, nil, into)
	if err == errCorrupt {
		return nil, ps.corrupt(t)
	}
	return vals, err
}

// corrupt is the error for the damaged tuple at t.
func (ps *pages) corrupt(t tid) error {
	return sqlerr.New(sqlerr.DataCorrupted, "corrupt tuple (%d,%d) in relation file %s", t.block, t.slot, heapPath(ps.pool.dir, ps.table))
}

// erase empties the slot at t at once and frees its overflow pages; only
// for tuples no checkpoint names (see pendingFree).
func (ps *pages) erase(t tid) error {
	var chains []uint32
	if err := ps.tuple(t, false, func(b []byte) error {
		chains = ps.overflowBlocks(b)
		return nil
	}); err != nil {
		return err
	}
	f, err := ps.pool.get(pageID{ps.table, t.block}, false, false)
	if err != nil {
		return err
	}
	f.latch.Lock()
	f.data.remove(int(t.slot))
	ps.room[t.block] = uint16(f.data.freeSpace())
	f.modified()
	f.latch.Unlock()
	ps.pool.release(f)
	ps.freeBlocks = append(ps.freeBlocks, chains...)
	return nil
}

// settle empties the first n slots that waited for a checkpoint: those
// removed before the checkpoint the caller has just completed.
func (ps *pages) settle(n int) error {
	pending := ps.pendingFree[:n]
	ps.pendingFree = slices.Clone(ps.pendingFree[n:])
	for _, t := range pending {
		if err := ps.erase(t); err != nil {
			return err
		}
	}
	return nil
}

// load installs the rows a checkpoint names (frozen versions at the given
// tuples) and indexes them, then reclaims whatever else the pages hold:
// tuples written after that checkpoint or by transactions that had not
// committed before it, and overflow pages no named row uses. It reads each
// page once, in block order, decoding only the indexes' key columns, and
// builds each index in one sorted pass. It leaves alone the claimed
// blocks, which committed bulk loads the log replays wrote (bulk.go).
func (h *Heap) load(live []*Version, claimed map[uint32]bool) error {
	ps := &h.pages
	h.versions = live
	ld := &loader{h: h, live: live, long: map[uint32]bool{}, entries: make([][]entry, len(h.indexes))}
	ld.noteFirst = func(first uint32) { ld.firsts = append(ld.firsts, first) }
	for i, ix := range h.indexes {
		// in the versions' order, whichever pages they are on: keys that
		// grow with the row ids (a table loaded in key order) need no sort
		ld.entries[i] = make([]entry, len(live))
		if ld.want == nil {
			ld.want = make([]bool, len(h.Table.Columns))
		}
		for _, c := range ix.cols {
			ld.want[c] = true
		}
	}
	written, err := ps.pool.fileBlocks(ps.table)
	if err != nil {
		return err
	}
	order, starts := ld.byBlock(ps.blocks)
	for b := range ps.blocks {
		named := order[starts[b]:starts[b+1]]
		if claimed[b] && len(named) == 0 {
			continue
		}
		if b >= written { // allocated, never written: no row there
			if len(named) > 0 {
				return ps.corrupt(live[named[0]].tid)
			}
			ps.freeBlocks = append(ps.freeBlocks, b)
			continue
		}
		if err := ld.page(b, named, claimed[b]); err != nil {
			return err
		}
	}
	for _, b := range ld.overflow {
		if !ld.long[b] {
			ps.freeBlocks = append(ps.freeBlocks, b)
		}
	}
	for _, t := range ld.torn {
		if ld.long[t.block] {
			return t.err
		}
		ps.freeBlocks = append(ps.freeBlocks, t.block)
	}
	ps.claim(claimed)
	for i, ix := range h.indexes {
		if !slices.IsSortedFunc(ld.entries[i], ix.order) {
			slices.SortFunc(ld.entries[i], ix.order)
		}
		ix.fill(ld.entries[i])
	}
	return nil
}

// byBlock returns the positions of the named tuples in live grouped by
// block, in slot order within each, block b's at order[starts[b]:starts[b+1]]
// (a counting sort: the checkpoint checked every block is below blocks).
func (ld *loader) byBlock(blocks uint32) (order []int32, starts []int32) {
	starts = make([]int32, blocks+1)
	for _, v := range ld.live {
		starts[v.tid.block+1]++
	}
	for b := range blocks {
		starts[b+1] += starts[b]
	}
	next := slices.Clone(starts[:blocks])
	order = make([]int32, len(ld.live))
	for i, v := range ld.live {
		order[next[v.tid.block]] = int32(i)
		next[v.tid.block]++
	}
	bySlot := func(a, b int32) int { return cmp.Compare(ld.live[a].tid.slot, ld.live[b].tid.slot) }
	for b := range blocks {
		if group := order[starts[b]:starts[b+1]]; !slices.IsSortedFunc(group, bySlot) {
			slices.SortFunc(group, bySlot)
		}
	}
	return order, starts
}

// loader is the state of a heap's load as it goes from page to page.
type loader struct {
	h         *Heap
	live      []*Version      // the versions the checkpoint names
	want      []bool          // the indexes' key columns; nil: no index
	entries   [][]entry       // each index's, in live's order
	long      map[uint32]bool // the overflow blocks named rows use
	overflow  []uint32        // the overflow blocks met
	firsts    []uint32        // a tuple's overflow chains (scratch)
	noteFirst func(first uint32)
	vals      []types.Value // a tuple's decoded key columns (scratch)
	// torn are the unreadable pages no named tuple is on: free, unless a
	// named row's overflow chain (known at the end) runs through them
	torn []tornPage
}

type tornPage struct {
	block uint32
	err   error
}

// page loads block b, whose named tuples are those of ld.live at the
// positions named, in slot order; on a claimed block the other tuples stay.
func (ld *loader) page(b uint32, named []int32, claimed bool) error {
	ps := &ld.h.pages
	f, err := ps.pool.get(pageID{ps.table, b}, false, true)
	if len(named) == 0 && tornFree(err, false) {
		ld.torn = append(ld.torn, tornPage{b, err})
		return nil
	}
	if err != nil {
		return err
	}
	defer ps.pool.release(f)
	f.latch.Lock()
	defer f.latch.Unlock()
	switch p := f.data; p.kind() {
	case pageKindHeap:
		k := 0
		for i := range p.count() {
			if k < len(named) && int(ld.live[named[k]].tid.slot) == i {
				if err := ld.tuple(p.tuple(i), named[k]); err != nil {
					return err
				}
				k++
			} else if off, _ := p.slot(i); off != 0 && !claimed {
				p.remove(i)
				f.modified()
			}
		}
		if k < len(named) {
			return ps.corrupt(ld.live[named[k]].tid)
		}
		ps.room[b] = uint16(p.freeSpace())
		return nil
	case pageKindOverflow:
		ld.overflow = append(ld.overflow, b)
	default: // never written
		ps.freeBlocks = append(ps.freeBlocks, b)
	}
	if len(named) > 0 {
		return ps.corrupt(ld.live[named[0]].tid)
	}
	return nil
}

// tuple notes the overflow pages of tuple t, of ld.live[pos], and its
// index entries.
func (ld *loader) tuple(t []byte, pos int32) error {
	ps := &ld.h.pages
	v := ld.live[pos]
	_, n := binary.Uvarint(t)
	if t == nil || n <= 0 {
		return ps.corrupt(v.tid)
	}
	if ld.want == nil {
		for _, block := range ps.overflowBlocks(t) {
			ld.long[block] = true
		}
		return nil
	}
	ld.firsts = ld.firsts[:0]
	vals, _, err := decodeColumnsNoting(t[n:], ps.readOverflow, ld.want, ld.noteFirst, ld.vals)
	ld.vals = vals // reused: the entries copy their keys
	if err == errCorrupt {
		return ps.corrupt(v.tid)
	}
	if err != nil {
		return err
	}
	for _, block := range ps.chains(ld.firsts) {
		ld.long[block] = true
	}
	for i, ix := range ld.h.indexes {
		ld.entries[i][pos] = ix.entry(vals, v)
	}
	return nil
}
