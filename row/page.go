package row

import (
	"encoding/binary"
	"hash/crc32"

	"rustydb/sqlerr"
)

// Page layout constants. Part of the on-disk format (see the package doc).
const (
	PageSize = 8192

	pageKindHeap     = 1
	pageKindOverflow = 2

	pageHeaderSize = 32
	slotSize       = 4
	noPage         = 0xFFFFFFFF // end of an overflow chain

	// maxTupleSize is the largest tuple kept whole in a heap page; larger
	// rows have their long values moved to overflow pages first.
	maxTupleSize = 2000
	// overflowData is the payload an overflow page holds.
	overflowData = PageSize - pageHeaderSize
)

// page is an 8 KiB page image, a buffer pool frame's content.
type page []byte

func (p page) kind() byte      { return p[4] }
func (p page) count() int      { return int(binary.LittleEndian.Uint16(p[6:])) }
func (p page) lsn() uint64     { return binary.LittleEndian.Uint64(p[8:]) }
func (p page) table() uint32   { return binary.LittleEndian.Uint32(p[16:]) }
func (p page) number() uint32  { return binary.LittleEndian.Uint32(p[20:]) }
func (p page) freeStart() int  { return int(binary.LittleEndian.Uint16(p[24:])) }
func (p page) freeEnd() int    { return int(binary.LittleEndian.Uint16(p[26:])) }
func (p page) next() uint32    { return binary.LittleEndian.Uint32(p[28:]) }
func (p page) emptySlots() int { return int(binary.LittleEndian.Uint16(p[28:])) }
func (p page) deadBytes() int  { return int(binary.LittleEndian.Uint16(p[30:])) }
func (p page) setEmpty(slots, dead int) {
	binary.LittleEndian.PutUint16(p[28:], uint16(slots))
	binary.LittleEndian.PutUint16(p[30:], uint16(dead))
}
func (p page) setCount(n int)   { binary.LittleEndian.PutUint16(p[6:], uint16(n)) }
func (p page) setLSN(l uint64)  { binary.LittleEndian.PutUint64(p[8:], l) }
func (p page) setFree(s, e int) { p.setFreeStart(s); binary.LittleEndian.PutUint16(p[26:], uint16(e)) }
func (p page) setFreeStart(s int) {
	binary.LittleEndian.PutUint16(p[24:], uint16(s))
}

// initPage formats p as an empty page of the given kind.
func initPage(p page, kind byte, table, number uint32) {
	clear(p)
	p[4] = kind
	binary.LittleEndian.PutUint32(p[16:], table)
	binary.LittleEndian.PutUint32(p[20:], number)
	p.setFree(pageHeaderSize, PageSize)
	if kind == pageKindOverflow {
		binary.LittleEndian.PutUint32(p[28:], noPage)
	}
}

// seal stores the page's checksum; it is the last change before a write.
func (p page) seal() {
	binary.LittleEndian.PutUint32(p, crc32.Checksum(p[4:], crcTable))
}

// verify checks a page read from block number of file: its checksum, and
// that it is the page that belongs there. An all-zero page (a block the
// file was extended with but never written) is valid and empty.
func (p page) verify(file string, table, number uint32) error {
	if binary.LittleEndian.Uint32(p) == 0 && isZero(p) {
		return nil
	}
	bad := func(why string) error {
		return sqlerr.New(sqlerr.DataCorrupted, "invalid page in block %d of relation file %s: %s", number, file, why).
			WithHint("The page failed its check on read, so no rows were taken from it. Restore the data directory from a backup.")
	}
	switch {
	case binary.LittleEndian.Uint32(p) != crc32.Checksum(p[4:], crcTable):
		return bad("checksum mismatch")
	case p.table() != table || p.number() != number:
		return bad("page belongs elsewhere")
	case p.kind() != pageKindHeap && p.kind() != pageKindOverflow:
		return bad("unknown page kind")
	case p.kind() == pageKindHeap && (p.freeStart() < pageHeaderSize || p.freeStart() > p.freeEnd() || p.freeEnd() > PageSize ||
		p.freeStart() != pageHeaderSize+slotSize*p.count()):
		return bad("bad free space bounds")
	}
	return nil
}

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// Heap page slots. A slot's offset is 0 when it holds no tuple.
func (p page) slot(i int) (off, n int) {
	s := p[pageHeaderSize+slotSize*i:]
	return int(binary.LittleEndian.Uint16(s)), int(binary.LittleEndian.Uint16(s[2:]))
}

func (p page) setSlot(i, off, n int) {
	s := p[pageHeaderSize+slotSize*i:]
	binary.LittleEndian.PutUint16(s, uint16(off))
	binary.LittleEndian.PutUint16(s[2:], uint16(n))
}

// tuple returns the bytes in slot i, or nil for an empty or absent slot.
func (p page) tuple(i int) []byte {
	if i >= p.count() {
		return nil
	}
	off, n := p.slot(i)
	if off == 0 || off+n > PageSize {
		return nil
	}
	return p[off : off+n]
}

// freeSpace is the room for one more tuple, its slot included, after
// compaction.
func (p page) freeSpace() int {
	free := p.freeEnd() - p.freeStart() + p.deadBytes()
	if p.emptySlots() == 0 {
		free -= slotSize
	}
	return max(free, 0)
}

// insert stores t in an empty slot (or a new one), compacting the page if
// its free space is fragmented, and returns the slot. The caller checked
// freeSpace.
func (p page) insert(t []byte) int {
	slot := -1
	if p.emptySlots() > 0 {
		for i := range p.count() {
			if off, _ := p.slot(i); off == 0 {
				slot = i
				break
			}
		}
		p.setEmpty(p.emptySlots()-1, p.deadBytes())
	}
	need := len(t)
	if slot < 0 {
		need += slotSize
	}
	if p.freeEnd()-p.freeStart() < need {
		p.compact()
	}
	if slot < 0 {
		slot = p.count()
		p.setCount(slot + 1)
		p.setSlot(slot, 0, 0)
		p.setFreeStart(p.freeStart() + slotSize)
	}
	end := p.freeEnd() - len(t)
	copy(p[end:], t)
	p.setSlot(slot, end, len(t))
	p.setFree(p.freeStart(), end)
	return slot
}

// remove empties slot i; compaction reclaims its bytes later.
func (p page) remove(i int) {
	if i >= p.count() {
		return
	}
	if off, n := p.slot(i); off != 0 {
		p.setSlot(i, 0, 0)
		p.setEmpty(p.emptySlots()+1, p.deadBytes()+n)
	}
}

// compact moves the tuples to the end of the page, leaving one free gap.
// Slot numbers do not change.
func (p page) compact() {
	var tmp [PageSize]byte
	end := PageSize
	for i := range p.count() {
		off, n := p.slot(i)
		if off == 0 {
			continue
		}
		end -= n
		copy(tmp[end:], p[off:off+n])
		p.setSlot(i, end, n)
	}
	copy(p[end:], tmp[end:])
	p.setFree(p.freeStart(), end)
	p.setEmpty(p.emptySlots(), 0)
}

// Overflow pages hold the bytes of one long value, chained by next.
func (p page) overflow() []byte { return p[pageHeaderSize : pageHeaderSize+p.count()] }

func (p page) setOverflow(data []byte, next uint32) {
	copy(p[pageHeaderSize:], data)
	p.setCount(len(data))
	binary.LittleEndian.PutUint32(p[28:], next)
}
