package main

import (
	"fmt"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// genBitmaps writes bitwise, popcount and toSel.
func genBitmaps(l level) {
	vb := l.vbytes()

	kernel(l, "bitwise", "func(dst, a, b []byte, op int)",
		fmt.Sprintf("bitwise%s sets dst to a AND b (op 0), a OR b (1) or a AND NOT b (2) (len(dst) a multiple of %d).", l.name, vb))
	dst := Load(Param("dst").Base(), GP64())
	n := Load(Param("dst").Len(), GP64())
	pa := Load(Param("a").Base(), GP64())
	pb := Load(Param("b").Base(), GP64())
	op := Load(Param("op"), GP64())
	names := []string{"and", "or", "andnot"}
	for i, name := range names {
		CMPQ(op, U8(i))
		JE(LabelRef(name))
	}
	ret()
	for i, name := range names {
		Label(name)
		loop(name+"_x", n, vb, 4, func(k int) {
			for j := range k {
				v := l.vec()
				switch i {
				case 0:
					l.load(Mem{Base: pa, Disp: j * vb}, v)
					l.and(Mem{Base: pb, Disp: j * vb}, v, v)
				case 1:
					l.load(Mem{Base: pa, Disp: j * vb}, v)
					l.or(Mem{Base: pb, Disp: j * vb}, v, v)
				default:
					l.load(Mem{Base: pb, Disp: j * vb}, v)
					l.andNot(Mem{Base: pa, Disp: j * vb}, v, v)
				}
				l.store(v, Mem{Base: dst, Disp: j * vb})
			}
			for _, r := range []Register{dst, pa, pb} {
				ADDQ(U32(k*vb), r)
			}
		})
		ret()
	}

	// Popcount looks up the count of each nibble with VPSHUFB (Mula's
	// method): the CPUs of these levels may lack VPOPCNTQ.
	kernel(l, "popcount", "func(b []byte) int",
		fmt.Sprintf("popcount%s returns the number of set bits of b (len(b) a multiple of %d).", l.name, vb))
	p := Load(Param("b").Base(), GP64())
	n = Load(Param("b").Len(), GP64())
	lut, nibble, zero, total := l.vec(), constant(l, 4, 0x0f0f0f0f), l.vec(), l.vec()
	m := vectorData("nibbles", 0x0302020102010100, 0x0403030203020201)
	if l.wide {
		VBROADCASTI32X4(m, lut)
	} else {
		VBROADCASTI128(m, lut)
	}
	l.zero(zero)
	l.zero(total)
	loop("count", n, vb, 4, func(k int) {
		// At most 4 vectors of 8 bits a byte: the byte sums cannot wrap.
		sum := l.vec()
		for j := range k {
			v, lo, hi := l.vec(), l.vec(), l.vec()
			l.load(Mem{Base: p, Disp: j * vb}, v)
			l.and(nibble, v, lo)
			VPSRLW(U8(4), v, hi)
			l.and(nibble, hi, hi)
			VPSHUFB(lo, lut, lo)
			VPSHUFB(hi, lut, hi)
			if j == 0 {
				VPADDB(lo, hi, sum)
			} else {
				VPADDB(lo, sum, sum)
				VPADDB(hi, sum, sum)
			}
		}
		VPSADBW(zero, sum, sum)
		VPADDQ(sum, total, total)
		ADDQ(U32(k*vb), p)
	})
	storeScalar(fold(l, total, 8, func(a, b, dst Register) { VPADDQ(a, b, dst) }), false, 8)
	ret()

	genToSel(l)
}

// genToSel writes toSel, the selection vector of a bitmap. AVX2 looks each
// byte up in a table of the positions of its set bits; AVX-512 compresses a
// vector of 16 row numbers under a 16-bit mask. Both store a whole vector
// and advance by the number of set bits, so they stop while sel has room
// for a whole vector.
func genToSel(l level) {
	group := 8 // rows a turn
	if l.wide {
		group = 16
	}
	kernel(l, "toSel", "func(b []byte, sel []int32) (int, int)",
		fmt.Sprintf("toSel%s writes the index of each set bit of b to sel, %d bits a turn while sel has room for %d more,", l.name, group, group),
		"and returns the bytes of b it read and the indexes it wrote.")
	bp := Load(Param("b").Base(), GP64())
	nb := Load(Param("b").Len(), GP64())
	sp := Load(Param("sel").Base(), GP64())
	ns := Load(Param("sel").Len(), GP64())
	i, k := GP64(), GP64()
	XORQ(i, i)
	XORQ(k, k)
	rows := l.vec()
	step := constant(l, 4, uint64(group))
	var lut Register
	if l.wide {
		VMOVDQU32(vectorData("iota32", 1<<32, 3<<32|2, 5<<32|4, 7<<32|6, 9<<32|8, 11<<32|10, 13<<32|12, 15<<32|14), rows)
	} else {
		l.zero(rows)
		lut = GP64()
		LEAQ(selTable(), lut)
	}
	Label("turn")
	end := GP64()
	LEAQ(Mem{Base: i, Disp: group / 8}, end)
	CMPQ(end, nb)
	JA(LabelRef("done"))
	LEAQ(Mem{Base: k, Disp: group}, end)
	CMPQ(end, ns)
	JA(LabelRef("done"))
	c := GP32()
	v := l.vec()
	if l.wide {
		km := K()
		KMOVW(Mem{Base: bp, Index: i, Scale: 1}, km)
		VPCOMPRESSD_Z(rows, km, v)
		VMOVDQU32(v, Mem{Base: sp, Index: k, Scale: 4})
		MOVWLZX(Mem{Base: bp, Index: i, Scale: 1}, c)
	} else {
		MOVBLZX(Mem{Base: bp, Index: i, Scale: 1}, c)
		off := GP64()
		MOVL(c, off.As32())
		SHLQ(U8(5), off)
		VPADDD(Mem{Base: lut, Index: off, Scale: 1}, rows, v)
		VMOVDQU(v, Mem{Base: sp, Index: k, Scale: 4})
	}
	POPCNTL(c, c)
	ADDQ(c.As64(), k)
	VPADDD(step, rows, rows)
	ADDQ(U8(group/8), i)
	JMP(LabelRef("turn"))
	Label("done")
	Store(i, ReturnIndex(0))
	Store(k, ReturnIndex(1))
	ret()
}

// selTable returns the table of toSelAVX2: for each byte, the positions of
// its set bits in increasing order, as 8 int32 (zero past the last).
func selTable() Mem {
	if m, ok := constants["seltable"]; ok {
		return m
	}
	m := GLOBL("seltable", RODATA|NOPTR)
	for b := range 256 {
		k := 0
		for v := b; v != 0; v &= v - 1 {
			DATA(32*b+4*k, U32(bits.TrailingZeros(uint(v))))
			k++
		}
		for ; k < 8; k++ {
			DATA(32*b+4*k, U32(0))
		}
	}
	constants["seltable"] = m
	return m
}

// gatherer loads the elements of a column at indexes from a selection
// vector: gather(idx, dst) fills the vector dst from the lanes' indexes at
// idx. One gather covers lanes indexes: 8 or 16 for 32-bit elements, 4 or 8
// for 64-bit ones (whose 32-bit indexes fill half a vector).
type gatherer struct {
	l     level
	t     elem
	base  Register
	lanes int
}

func (g gatherer) gather(idx Mem, dst Register) {
	l, t := g.l, g.t
	var ix Register
	switch {
	case l.wide && t.size == 8:
		ix = YMM()
		VMOVDQU(idx, ix)
	case t.size == 8:
		ix = XMM()
		VMOVDQU(idx, ix)
	default:
		ix = l.vec()
		l.load(idx, ix)
	}
	m := Mem{Base: g.base, Index: ix, Scale: uint8(t.size)}
	if l.wide {
		k := K()
		if t.size == 4 {
			KXNORW(k, k, k)
			VPGATHERDD(m, k, dst)
		} else {
			KXNORB(k, k, k)
			if t.float {
				VGATHERDPD(m, k, dst)
			} else {
				VPGATHERDQ(m, k, dst)
			}
		}
		return
	}
	// The AVX2 gathers take a vector mask, which they clear as they go.
	mv := YMM()
	VPCMPEQQ(mv, mv, mv)
	switch {
	case t.size == 4:
		VPGATHERDD(mv, m, dst)
	case t.float:
		VGATHERDPD(mv, m, dst)
	default:
		VPGATHERDQ(mv, m, dst)
	}
}

func newGatherer(l level, t elem, base Register) gatherer {
	return gatherer{l: l, t: t, base: base, lanes: t.lanes(l)}
}

// genSumSel writes sumSel*, the sums through a selection vector. The Go
// side has checked every index against len(x).
func genSumSel(l level) {
	for _, t := range elems {
		unit := l.unit(t.size)
		kernel(l, "sumSel"+t.name, fmt.Sprintf("func(x []%s, sel []int32) %s", t.gotype, t.acc()),
			fmt.Sprintf("sumSel%s%s adds x[i] for each i of sel (len(sel) a multiple of %d).", t.name, l.name, unit))
		xp := Load(Param("x").Base(), GP64())
		sp := Load(Param("sel").Base(), GP64())
		n := Load(Param("sel").Len(), GP64())
		g := newGatherer(l, t, xp)
		accs := []VecVirtual{l.vec(), l.vec(), l.vec(), l.vec()}
		for _, a := range accs {
			l.zero(a)
		}
		loop("sum", n, unit, 4, func(k int) {
			for j := range k * unit / g.lanes {
				d := l.vec()
				g.gather(Mem{Base: sp, Disp: 4 * j * g.lanes}, d)
				a := accs[j%2*2 : j%2*2+2]
				switch {
				case t.float:
					VADDPD(d, a[0], a[0])
				case t.size == 8:
					VPADDQ(d, a[0], a[0])
				default:
					// Widen the 32-bit elements to 64 bits, half a vector
					// at a time.
					lo, hi := l.vec(), l.vec()
					if l.wide {
						VPMOVSXDQ(d.AsY(), lo)
						h := YMM()
						VEXTRACTI64X4(U8(1), d, h)
						VPMOVSXDQ(h, hi)
					} else {
						VPMOVSXDQ(d.AsX(), lo)
						h := XMM()
						VEXTRACTI128(U8(1), d, h)
						VPMOVSXDQ(h, hi)
					}
					VPADDQ(lo, a[0], a[0])
					VPADDQ(hi, a[1], a[1])
				}
			}
			ADDQ(U32(k*unit*4), sp)
		})
		combine := func(x, y, dst Register) {
			if t.float {
				VADDPD(x, y, dst)
			} else {
				VPADDQ(x, y, dst)
			}
		}
		storeScalar(fold(l, sumTree(accs, combine), 8, combine), t.float, 8)
		ret()
	}
}

// genGathers writes gather32 and gather64: dst[i] = src[sel[i]].
func genGathers(l level) {
	for _, t := range []elem{i32, i64} {
		unit := l.unit(t.size)
		name := fmt.Sprintf("gather%d", 8*t.size)
		kernel(l, name, fmt.Sprintf("func(dst, src []%s, sel []int32)", t.gotype),
			fmt.Sprintf("%s%s sets dst[i] = src[sel[i]] (len(sel) a multiple of %d).", name, l.name, unit))
		dst := Load(Param("dst").Base(), GP64())
		src := Load(Param("src").Base(), GP64())
		sp := Load(Param("sel").Base(), GP64())
		n := Load(Param("sel").Len(), GP64())
		g := newGatherer(l, t, src)
		loop("gather", n, unit, 4, func(k int) {
			for j := range k * unit / g.lanes {
				d := l.vec()
				g.gather(Mem{Base: sp, Disp: 4 * j * g.lanes}, d)
				l.store(d, Mem{Base: dst, Disp: j * l.vbytes()})
			}
			ADDQ(U32(k*unit*4), sp)
			ADDQ(U32(k*unit*t.size), dst)
		})
		ret()
	}
}
