package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// elem is a column element type.
type elem struct {
	name   string // in kernel names: I32, I64, F64
	gotype string
	size   int
	float  bool
}

var (
	i32   = elem{"I32", "int32", 4, false}
	i64   = elem{"I64", "int64", 8, false}
	f64   = elem{"F64", "float64", 8, true}
	elems = []elem{i32, i64, f64}
)

// acc is the Go type of the sum of t: int32 sums widen to int64.
func (t elem) acc() string {
	if t.float {
		return "float64"
	}
	return "int64"
}

// lanes is the number of elements of t in a vector of l.
func (t elem) lanes(l level) int { return l.vbytes() / t.size }

// genSums writes sumI32, sumI64, sumF64 and their bitmap variants sumBits*.
// The int32 sums widen each element to 64 bits as they load it, so the sum
// cannot overflow below 2^32 rows.
func genSums(l level) {
	for _, t := range elems {
		// Floats keep 8 partial sums to hide the 4-cycle latency of an add.
		nacc, big := 4, 4
		if t.float && l.wide {
			nacc, big = 8, 8
		} else if t.float {
			nacc = 8
		}
		for _, masked := range []bool{false, true} {
			name, sig := "sum"+t.name, fmt.Sprintf("func(x []%s) %s", t.gotype, t.acc())
			if masked {
				name, sig = "sumBits"+t.name, fmt.Sprintf("func(x []%s, bits []byte) %s", t.gotype, t.acc())
			}
			kernel(l, name, sig, fmt.Sprintf("%s adds the elements of x (len(x) a multiple of %d)%s.", name+l.name, l.unit(t.size), map[bool]string{true: " whose bit is set in bits"}[masked]))
			p := Load(Param("x").Base(), GP64())
			n := Load(Param("x").Len(), GP64())
			var bp Register
			if masked {
				bp = Load(Param("bits").Base(), GP64())
			}
			accs := make([]VecVirtual, nacc)
			for i := range accs {
				accs[i] = l.vec()
				l.zero(accs[i])
			}
			rows := newRowMasks(l, masked, 8)
			add := func(m Mem, a VecVirtual, row int) {
				// The 64-bit lanes of one vector: rows row..row+lanes-1.
				var k Op
				var mv VecVirtual
				if masked {
					if l.wide {
						k = rows.k(bp, row)
					} else {
						mv = rows.vec64(bp, row)
					}
				}
				switch {
				case t == i32:
					v := l.vec()
					if k != nil {
						VPMOVSXDQ_Z(m, k, v)
					} else {
						VPMOVSXDQ(m, v)
					}
					if mv != nil {
						VPAND(v, mv, v)
					}
					VPADDQ(v, a, a)
				case mv != nil:
					v := l.vec()
					VPAND(m, mv, v)
					if t.float {
						VADDPD(v, a, a)
					} else {
						VPADDQ(v, a, a)
					}
				case t.float && k != nil:
					VADDPD(m, a, k, a)
				case t.float:
					VADDPD(m, a, a)
				case k != nil:
					VPADDQ(m, a, k, a)
				default:
					VPADDQ(m, a, a)
				}
			}
			unit := l.unit(t.size)
			lanes64 := l.vbytes() / 8
			streamLoop("sum", p, n, unit, big, t.size, func(k int) {
				rows.reset()
				for j := range k * unit / lanes64 {
					add(Mem{Base: p, Disp: j * lanes64 * t.size}, accs[j%nacc], j*lanes64)
				}
				ADDQ(U32(k*unit*t.size), p)
				if masked {
					ADDQ(U32(k*unit/8), bp)
				}
			})
			a := sumTree(accs, func(x, y, dst Register) {
				if t.float {
					VADDPD(x, y, dst)
				} else {
					VPADDQ(x, y, dst)
				}
			})
			r := fold(l, a, 8, func(x, y, dst Register) {
				if t.float {
					VADDPD(x, y, dst)
				} else {
					VPADDQ(x, y, dst)
				}
			})
			storeScalar(r, t.float, 8)
			ret()
		}
	}
}

// sumTree combines the accumulators pairwise into accs[0].
func sumTree(accs []VecVirtual, combine func(x, y, dst Register)) VecVirtual {
	for len(accs) > 1 {
		h := len(accs) / 2
		for i := range h {
			combine(accs[i+h], accs[i], accs[i])
		}
		accs = accs[:h]
	}
	return accs[0]
}

// storeScalar stores the low lane of x as the first result.
func storeScalar(x VecVirtual, float bool, esize int) {
	switch {
	case float:
		Store(x.AsX(), ReturnIndex(0))
	case esize == 4:
		r := GP32()
		VMOVD(x.AsX(), r)
		Store(r, ReturnIndex(0))
	default:
		r := GP64()
		VMOVQ(x.AsX(), r)
		Store(r, ReturnIndex(0))
	}
}

// rowMasks turns bits of a bitmap into masks of vector lanes. With AVX-512
// a byte of the bitmap is directly the mask of eight 64-bit lanes (two bytes
// of sixteen 32-bit lanes). With AVX2 it broadcasts the byte to every lane
// and compares each lane's bit with a constant holding that lane's bit.
type rowMasks struct {
	bits     VecVirtual // AVX2: lane i holds 1 << i (1 << (i+4) in hi)
	hi       VecVirtual // AVX2, 64-bit lanes: the constant for rows 4..7 of a byte
	lastByte int
	bcast    VecVirtual
}

// newRowMasks loads the constants for lanes of esize bytes, if the level
// needs any, before the loops.
func newRowMasks(l level, masked bool, esize int) *rowMasks {
	r := &rowMasks{}
	if !masked || l.wide {
		return r
	}
	r.bits = YMM()
	if esize == 4 {
		VMOVDQU(vectorData("bit32", 2<<32|1, 8<<32|4, 32<<32|16, 128<<32|64), r.bits)
		return r
	}
	m := vectorData("bit64", 1, 2, 4, 8, 16, 32, 64, 128)
	VMOVDQU(m, r.bits)
	r.hi = YMM()
	VMOVDQU(m.Offset(32), r.hi)
	return r
}

// reset starts a loop body: the broadcast byte of the last one is stale.
func (r *rowMasks) reset() { r.lastByte = -1 }

// k loads the mask of the 8 rows of 64-bit lanes from row on (row a multiple
// of 8) relative to bp.
func (r *rowMasks) k(bp Register, row int) Op {
	k := K()
	KMOVB(Mem{Base: bp, Disp: row / 8}, k)
	return k
}

// k16 loads the mask of 16 rows of 32-bit lanes.
func (r *rowMasks) k16(bp Register, row int) Op {
	k := K()
	KMOVW(Mem{Base: bp, Disp: row / 8}, k)
	return k
}

// byteAt broadcasts the bitmap byte of row to every byte of a vector,
// reusing the broadcast for the second half of a byte's rows.
func (r *rowMasks) byteAt(bp Register, row int) VecVirtual {
	if row/8 != r.lastByte {
		r.bcast = YMM()
		VPBROADCASTB(Mem{Base: bp, Disp: row / 8}, r.bcast)
		r.lastByte = row / 8
	}
	return r.bcast
}

// vec64 returns the AVX2 mask of the 4 rows of 64-bit lanes from row on
// (row a multiple of 4): all ones in the lane of a set bit.
func (r *rowMasks) vec64(bp Register, row int) VecVirtual {
	b := r.byteAt(bp, row)
	c := r.bits
	if row%8 != 0 {
		c = r.hi
	}
	m := YMM()
	VPAND(c, b, m)
	VPCMPEQQ(c, m, m)
	return m
}

// vec32 returns the AVX2 mask of the 8 rows of 32-bit lanes from row on.
func (r *rowMasks) vec32(bp Register, row int) VecVirtual {
	b := r.byteAt(bp, row)
	m := YMM()
	VPAND(r.bits, b, m)
	VPCMPEQD(r.bits, m, m)
	return m
}

// minMax describes one of the MIN and MAX kernels.
type minMax struct {
	t   elem
	max bool
}

// identity is the value that no element loses to: the largest for MIN.
func (m minMax) identity() uint64 {
	switch {
	case m.t == f64 && m.max:
		return math.Float64bits(math.Inf(-1))
	case m.t == f64:
		return math.Float64bits(math.Inf(1))
	case m.t == i32 && m.max:
		return math.MaxUint32 &^ math.MaxInt32 // MinInt32
	case m.t == i32:
		return math.MaxInt32
	case m.max:
		return 1 << 63 // MinInt64
	}
	return math.MaxInt64
}

// combine sets dst to the better of a and b (registers).
func (m minMax) combine(l level) func(a, b, dst Register) {
	return func(a, b, dst Register) {
		switch {
		case m.t == f64 && m.max:
			VMAXPD(a, b, dst)
		case m.t == f64:
			VMINPD(a, b, dst)
		case m.t == i32 && m.max:
			VPMAXSD(a, b, dst)
		case m.t == i32:
			VPMINSD(a, b, dst)
		case l.wide && m.max:
			VPMAXSQ(a, b, dst)
		case l.wide:
			VPMINSQ(a, b, dst)
		default:
			// AVX2 has no 64-bit MIN or MAX: compare and blend.
			c := YMM()
			if a.Size() == 16 {
				c = XMM()
			}
			if m.max {
				VPCMPGTQ(a, b, c) // b > a
			} else {
				VPCMPGTQ(b, a, c) // a > b
			}
			VBLENDVPD(c, b, a, dst) // c ? b : a
		}
	}
}

// genMinMax writes minI32 ... maxF64 and their bitmap variants. The float
// kernels skip NaN (VMINPD and VMAXPD return their second source when either
// is NaN, and the accumulator is the second source) and return whether they
// saw one, which the Go side turns into SQL's answer. It also writes maxSel,
// the largest index of a selection vector as unsigned, which bounds-checks
// the vector before a gather.
func genMinMax(l level) {
	for _, t := range elems {
		for _, isMax := range []bool{false, true} {
			mm := minMax{t, isMax}
			for _, masked := range []bool{false, true} {
				genOneMinMax(l, mm, masked)
			}
		}
	}

	kernel(l, "maxSel", "func(sel []int32) uint32", fmt.Sprintf("maxSel%s returns the largest element of sel as unsigned, so that a negative index is larger than any length (len(sel) a multiple of %d).", l.name, l.unit(4)))
	p := Load(Param("sel").Base(), GP64())
	n := Load(Param("sel").Len(), GP64())
	accs := []VecVirtual{l.vec(), l.vec()}
	for _, a := range accs {
		l.zero(a)
	}
	unit := l.unit(4)
	loop("max", n, unit, 4, func(k int) {
		for j := range k * unit / (l.vbytes() / 4) {
			VPMAXUD(Mem{Base: p, Disp: j * l.vbytes()}, accs[j%2], accs[j%2])
		}
		ADDQ(U32(k*unit*4), p)
	})
	VPMAXUD(accs[1], accs[0], accs[0])
	storeScalar(fold(l, accs[0], 4, func(a, b, dst Register) { VPMAXUD(a, b, dst) }), false, 4)
	ret()
}

func genOneMinMax(l level, mm minMax, masked bool) {
	t := mm.t
	op := map[bool]string{false: "min", true: "max"}[mm.max]
	name := op + t.name
	args := fmt.Sprintf("x []%s", t.gotype)
	if masked {
		name = op + "Bits" + t.name
		args += ", bits []byte"
	}
	res := t.gotype
	if t.float {
		res = "(float64, bool)"
	}
	kernel(l, name, fmt.Sprintf("func(%s) %s", args, res), fmt.Sprintf("%s returns the %s of the elements of x (len(x) a multiple of %d)%s.", name+l.name, op, l.unit(t.size), map[bool]string{true: " whose bit is set in bits"}[masked]))
	if t.float {
		Doc(fmt.Sprintf("It skips NaN (and returns %v when it sees no number) and reports whether it saw one.", math.Float64frombits(mm.identity())))
	}
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	var bp Register
	if masked {
		bp = Load(Param("bits").Base(), GP64())
	}
	id := constant(l, t.size, mm.identity())
	// Four chains of MIN or MAX: with AVX2 a 64-bit one is a compare and a
	// blend, 5 cycles of latency.
	accs := []VecVirtual{l.vec(), l.vec(), l.vec(), l.vec()}
	for _, a := range accs {
		l.mov(id, a)
	}
	// nan collects the lanes that saw a NaN.
	var nanV VecVirtual
	var nanK Op
	if t.float {
		if l.wide {
			nanK = K()
			KXORB(nanK, nanK, nanK)
		} else {
			nanV = l.vec()
			l.zero(nanV)
		}
	}
	rows := newRowMasks(l, masked, t.size)
	combine := mm.combine(l)
	unit, lanes := l.unit(t.size), t.lanes(l)
	step := func(m Mem, a VecVirtual, row int) {
		var k Op
		if masked && l.wide {
			if t.size == 4 {
				k = rows.k16(bp, row)
			} else {
				k = rows.k(bp, row)
			}
		}
		switch {
		case l.wide && !t.float:
			// An integer MIN or MAX takes its operand from memory, under
			// the row mask when there is one.
			ins := map[string]func(...Op){"minI32": VPMINSD, "maxI32": VPMAXSD, "minI64": VPMINSQ, "maxI64": VPMAXSQ}[op+t.name]
			if k != nil {
				ins(m, a, k, a)
			} else {
				ins(m, a, a)
			}
			return
		case l.wide:
			x := l.vec()
			VMOVUPD(m, x)
			ins := map[bool]func(...Op){false: VMINPD, true: VMAXPD}[mm.max]
			nk := K()
			if k != nil {
				ins(a, x, k, a)
				VCMPPD(U8(3), x, x, k, nk) // unordered: NaN
			} else {
				ins(a, x, a)
				VCMPPD(U8(3), x, x, nk)
			}
			KORB(nk, nanK, nanK)
			return
		}
		x := YMM()
		VMOVDQU(m, x)
		if masked {
			// Rows that are not valid take the identity.
			var rm VecVirtual
			if t.size == 4 {
				rm = rows.vec32(bp, row)
			} else {
				rm = rows.vec64(bp, row)
			}
			VPBLENDVB(rm, x, id, x)
		}
		if t.float {
			u := YMM()
			VCMPPD(U8(3), x, x, u)
			VORPD(u, nanV, nanV)
		}
		combine(a, x, a) // the accumulator second, to skip NaN
	}
	loop(op, n, unit, 4, func(k int) {
		rows.reset()
		for j := range k * unit / lanes {
			step(Mem{Base: p, Disp: j * l.vbytes()}, accs[j%4], j*lanes)
		}
		ADDQ(U32(k*unit*t.size), p)
		if masked {
			ADDQ(U32(k*unit/8), bp)
		}
	})
	storeScalar(fold(l, sumTree(accs, combine), t.size, combine), t.float, t.size)
	if t.float {
		saw := GP8()
		if l.wide {
			KORTESTB(nanK, nanK)
		} else {
			VPTEST(nanV, nanV)
		}
		SETNE(saw)
		Store(saw, ReturnIndex(1))
	}
	ret()
}
