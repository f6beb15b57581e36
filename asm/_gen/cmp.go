package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The comparison operators, numbered as asm.Op numbers them.
const (
	opEq = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var opNames = []string{"eq", "ne", "lt", "le", "gt", "ge"}

// Predicates of VCMPPD (AVX) and VPCMP[DQ] (AVX-512). "O" predicates are
// false and "U" ones true when an operand is NaN; Q means quiet.
const (
	cmpEQ_OQ  = 0x00
	cmpUNORD  = 0x03
	cmpNEQ_UQ = 0x04
	cmpNGE_UQ = 0x19
	cmpNGT_UQ = 0x1a
	cmpGE_OQ  = 0x1d
	cmpGT_OQ  = 0x1e

	icmpEQ  = 0
	icmpLT  = 1
	icmpLE  = 2
	icmpNE  = 4
	icmpNLT = 5 // >=
	icmpNLE = 6 // >
)

// mask is the result of comparing one vector: a vector of all-ones lanes
// (AVX2) or a K register (AVX-512), with invert set when the bits are the
// complement of the answer.
type mask struct {
	r      Op
	invert bool
}

// writeBits writes the bits of k units of comparisons to out and advances
// it: vector j of the k units is cmp(j). With AVX2 a unit is 8 rows, one
// byte, and VMOVMSKPD/PS gathers each vector's lanes into a register;
// with AVX-512 the K register of a vector is its byte (or two).
func writeBits(l level, t elem, out Register, k int, cmp func(j int) mask) {
	lanes := t.lanes(l)
	vecs := k * l.unit(t.size) / lanes
	if l.wide {
		for j := range vecs {
			m := cmp(j)
			dst := Mem{Base: out, Disp: j * lanes / 8}
			if t.size == 4 {
				if m.invert {
					KNOTW(m.r, m.r)
				}
				KMOVW(m.r, dst)
			} else {
				if m.invert {
					KNOTB(m.r, m.r)
				}
				KMOVB(m.r, dst)
			}
		}
		ADDQ(U32(vecs*lanes/8), out)
		return
	}
	acc := GP32()
	invert := false
	for j := range vecs {
		m := cmp(j)
		invert = m.invert
		r := acc
		if j > 0 {
			r = GP32()
		}
		if t.size == 4 {
			VMOVMSKPS(m.r, r)
		} else {
			VMOVMSKPD(m.r, r)
		}
		if j > 0 {
			SHLL(U8(j*lanes), r)
			ORL(r, acc)
		}
	}
	if invert {
		NOTL(acc)
	}
	if k == 1 {
		MOVB(acc.As8(), Mem{Base: out})
	} else {
		MOVL(acc, Mem{Base: out})
	}
	ADDQ(U32(k), out)
}

// dispatch jumps to the label of the operator in register op.
func dispatch(op Register, ops []int) {
	for _, o := range ops {
		CMPQ(op, U8(o))
		JE(LabelRef(opNames[o]))
	}
	ret() // not reached: Go passes only these operators
}

func genCompares(l level) {
	for _, t := range elems {
		genCmpConst(l, t)
		genCmpCols(l, t)
		genBetween(l, t)
	}
}

// genCmpConst writes cmp*: the bitmap of x op c. The vector of c is the
// first source and x the second (from memory), so the predicates are
// turned around: x < c is c > x. For float64 c is never NaN (the Go side
// rewrites those comparisons) and the predicates give NaN SQL's order:
// x > c and x >= c are true, the others false, except <>.
func genCmpConst(l level, t elem) {
	kernel(l, "cmp"+t.name, fmt.Sprintf("func(x []%s, c %s, op int, out []byte)", t.gotype, t.gotype),
		fmt.Sprintf("cmp%s%s sets the bits of out to x op c (len(x) a multiple of %d).", t.name, l.name, l.unit(t.size)))
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	out := Load(Param("out").Base(), GP64())
	op := Load(Param("op"), GP64())
	c := broadcast(l, "c", t.size)
	dispatch(op, []int{opEq, opNe, opLt, opLe, opGt, opGe})
	floatPred := []uint8{cmpEQ_OQ, cmpNEQ_UQ, cmpGT_OQ, cmpGE_OQ, cmpNGE_UQ, cmpNGT_UQ}
	intPred := []uint8{icmpEQ, icmpNE, icmpNLE, icmpNLT, icmpLT, icmpLE}
	for o := range opNames {
		Label(opNames[o])
		loop(opNames[o]+"_x", n, l.unit(t.size), 4, func(k int) {
			writeBits(l, t, out, k, func(j int) mask {
				x := Mem{Base: p, Disp: j * l.vbytes()}
				switch {
				case t.float && l.wide:
					r := K()
					VCMPPD(U8(floatPred[o]), x, c, r)
					return mask{r: r}
				case t.float:
					r := YMM()
					VCMPPD(U8(floatPred[o]), x, c, r)
					return mask{r: r}
				case l.wide:
					r := K()
					if t.size == 4 {
						VPCMPD(U8(intPred[o]), x, c, r)
					} else {
						VPCMPQ(U8(intPred[o]), x, c, r)
					}
					return mask{r: r}
				}
				// AVX2 has only = and >: x < c is c > x, and x > c needs x
				// in a register; <>, >= and <= are the complements.
				r := YMM()
				switch o {
				case opEq, opNe:
					pcmpeq(t, x, c, r)
				case opLt, opGe:
					pcmpgt(t, x, c, r)
				default:
					xr := YMM()
					VMOVDQU(x, xr)
					pcmpgt(t, c, xr, r)
				}
				return mask{r: r, invert: o == opNe || o == opGe || o == opLe}
			})
			ADDQ(U32(k*l.unit(t.size)*t.size), p)
		})
		ret()
	}
}

// pcmpeq and pcmpgt are AVX2's compares: dst = src1 == src2, src1 > src2.
func pcmpeq(t elem, src2, src1 Op, dst Register) {
	if t.size == 4 {
		VPCMPEQD(src2, src1, dst)
	} else {
		VPCMPEQQ(src2, src1, dst)
	}
}

func pcmpgt(t elem, src2, src1 Op, dst Register) {
	if t.size == 4 {
		VPCMPGTD(src2, src1, dst)
	} else {
		VPCMPGTQ(src2, src1, dst)
	}
}

// genCmpCols writes cmpCols*: the bitmap of a op b for op =, <>, < and >=
// (the Go side swaps a and b for > and <=). Floats follow SQL's order:
// a = b is ordered equality or both NaN, a >= b is ordered a >= b or a NaN.
func genCmpCols(l level, t elem) {
	kernel(l, "cmpCols"+t.name, fmt.Sprintf("func(a []%s, b []%s, op int, out []byte)", t.gotype, t.gotype),
		fmt.Sprintf("cmpCols%s%s sets the bits of out to a op b for op =, <>, < or >= (len(a) a multiple of %d).", t.name, l.name, l.unit(t.size)))
	pa := Load(Param("a").Base(), GP64())
	n := Load(Param("a").Len(), GP64())
	pb := Load(Param("b").Base(), GP64())
	out := Load(Param("out").Base(), GP64())
	op := Load(Param("op"), GP64())
	ops := []int{opEq, opNe, opLt, opGe}
	dispatch(op, ops)
	for _, o := range ops {
		Label(opNames[o])
		loop(opNames[o]+"_x", n, l.unit(t.size), 4, func(k int) {
			writeBits(l, t, out, k, func(j int) mask {
				ma, mb := Mem{Base: pa, Disp: j * l.vbytes()}, Mem{Base: pb, Disp: j * l.vbytes()}
				// Floats compute = and >=; <> and < are the complements.
				invert := o == opNe || o == opLt
				a, b := l.vec(), l.vec()
				switch {
				case t.float && l.wide && (o == opEq || o == opNe):
					l.load(ma, a)
					l.load(mb, b)
					eq, na, both := K(), K(), K()
					VCMPPD(U8(cmpEQ_OQ), b, a, eq)
					VCMPPD(U8(cmpUNORD), a, a, na)
					VCMPPD(U8(cmpUNORD), b, b, na, both)
					KORB(eq, both, eq)
					return mask{r: eq, invert: invert}
				case t.float && l.wide:
					l.load(ma, a)
					ge, na := K(), K()
					VCMPPD(U8(cmpGE_OQ), mb, a, ge)
					VCMPPD(U8(cmpUNORD), a, a, na)
					KORB(ge, na, ge)
					return mask{r: ge, invert: invert}
				case t.float && (o == opEq || o == opNe):
					l.load(ma, a)
					l.load(mb, b)
					eq, na, nb := YMM(), YMM(), YMM()
					VCMPPD(U8(cmpEQ_OQ), b, a, eq)
					VCMPPD(U8(cmpUNORD), a, a, na)
					VCMPPD(U8(cmpUNORD), b, b, nb)
					VANDPD(na, nb, na)
					VORPD(na, eq, eq)
					return mask{r: eq, invert: invert}
				case t.float:
					l.load(ma, a)
					ge, na := YMM(), YMM()
					VCMPPD(U8(cmpGE_OQ), mb, a, ge)
					VCMPPD(U8(cmpUNORD), a, a, na)
					VORPD(na, ge, ge)
					return mask{r: ge, invert: invert}
				case l.wide:
					l.load(ma, a)
					r := K()
					pred := map[int]uint8{opEq: icmpEQ, opNe: icmpNE, opLt: icmpLT, opGe: icmpNLT}[o]
					if t.size == 4 {
						VPCMPD(U8(pred), mb, a, r)
					} else {
						VPCMPQ(U8(pred), mb, a, r)
					}
					return mask{r: r}
				}
				// AVX2 has only = and >: a < b is b > a, a >= b its
				// complement.
				r := YMM()
				if o == opEq || o == opNe {
					l.load(ma, a)
					pcmpeq(t, mb, a, r)
				} else {
					l.load(mb, b)
					pcmpgt(t, ma, b, r)
				}
				return mask{r: r, invert: o == opNe || o == opGe}
			})
			ADDQ(U32(k*l.unit(t.size)*t.size), pa)
			ADDQ(U32(k*l.unit(t.size)*t.size), pb)
		})
		ret()
	}
}

// genBetween writes between*: the bitmap of lo <= x AND x <= hi. For
// float64 lo and hi are never NaN (the Go side rewrites those), so x >= lo
// may be unordered-true (NaN is above every number) and x <= hi ordered.
// Integers take one compare: lo <= x <= hi is x-lo <= hi-lo as unsigned,
// when lo <= hi (the Go side settles lo > hi). AVX2 compares unsigned
// values by flipping their sign bits.
func genBetween(l level, t elem) {
	kernel(l, "between"+t.name, fmt.Sprintf("func(x []%s, lo, hi %s, out []byte)", t.gotype, t.gotype),
		fmt.Sprintf("between%s%s sets the bits of out to lo <= x <= hi (len(x) a multiple of %d; lo <= hi for integers).", t.name, l.name, l.unit(t.size)))
	p := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	out := Load(Param("out").Base(), GP64())
	lo := broadcast(l, "lo", t.size)
	hi := broadcast(l, "hi", t.size)
	var sign VecVirtual
	if !t.float {
		// hi becomes the width of the range, hi-lo.
		if t.size == 4 {
			VPSUBD(lo, hi, hi)
		} else {
			VPSUBQ(lo, hi, hi)
		}
		if !l.wide {
			sign = constant(l, t.size, 1<<(8*t.size-1))
			VPXOR(sign, hi, hi)
		}
	}
	loop("between", n, l.unit(t.size), 4, func(k int) {
		writeBits(l, t, out, k, func(j int) mask {
			x := Mem{Base: p, Disp: j * l.vbytes()}
			switch {
			case t.float && l.wide:
				ge, r := K(), K()
				VCMPPD(U8(cmpNGT_UQ), x, lo, ge) // not lo > x
				VCMPPD(U8(cmpGE_OQ), x, hi, ge, r)
				return mask{r: r}
			case t.float:
				ge, le := YMM(), YMM()
				VCMPPD(U8(cmpNGT_UQ), x, lo, ge)
				VCMPPD(U8(cmpGE_OQ), x, hi, le)
				VANDPD(ge, le, le)
				return mask{r: le}
			}
			d := l.vec()
			l.load(x, d)
			if t.size == 4 {
				VPSUBD(lo, d, d)
			} else {
				VPSUBQ(lo, d, d)
			}
			if l.wide {
				r := K()
				if t.size == 4 {
					VPCMPUD(U8(icmpLE), hi, d, r)
				} else {
					VPCMPUQ(U8(icmpLE), hi, d, r)
				}
				return mask{r: r}
			}
			// Outside is x-lo > hi-lo.
			r := YMM()
			VPXOR(sign, d, d)
			pcmpgt(t, hi, d, r)
			return mask{r: r, invert: true}
		})
		ADDQ(U32(k*l.unit(t.size)*t.size), p)
	})
	ret()
}
