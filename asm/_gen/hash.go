package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The hash of package asm: mix(key ^ seed), mix the splitmix64 finalizer.
const (
	hashSeed = 0x9e3779b97f4a7c15
	mix1     = 0xbf58476d1ce4e5b9
	mix2     = 0x94d049bb133111eb
)

// mixer holds the constants of mix in registers.
type mixer struct {
	l        level
	seed     VecVirtual
	m1, m2   VecVirtual // AVX-512: the multipliers
	lo1, hi1 VecVirtual // AVX2: their 32-bit halves, in 64-bit lanes
	lo2, hi2 VecVirtual
}

func newMixer(l level) *mixer {
	x := &mixer{l: l, seed: constant(l, 8, hashSeed)}
	if l.wide {
		x.m1, x.m2 = constant(l, 8, mix1), constant(l, 8, mix2)
	} else {
		x.lo1, x.hi1 = constant(l, 8, mix1&0xffffffff), constant(l, 8, mix1>>32)
		x.lo2, x.hi2 = constant(l, 8, mix2&0xffffffff), constant(l, 8, mix2>>32)
	}
	return x
}

// mix applies mix to the 64-bit lanes of v in place.
func (x *mixer) mix(v VecVirtual) {
	x.shiftXor(v, 30)
	x.mul(v, x.m1, x.lo1, x.hi1)
	x.shiftXor(v, 27)
	x.mul(v, x.m2, x.lo2, x.hi2)
	x.shiftXor(v, 31)
}

func (x *mixer) shiftXor(v VecVirtual, s uint8) {
	t := x.l.vec()
	VPSRLQ(U8(s), v, t)
	x.l.xor(t, v, v)
}

// mul multiplies the lanes of v by a constant. AVX2 has only 32x32->64-bit
// multiplies: v*c = lo(v)*lo(c) + (hi(v)*lo(c) + lo(v)*hi(c)) << 32.
func (x *mixer) mul(v, m, lo, hi VecVirtual) {
	if x.l.wide {
		VPMULLQ(m, v, v)
		return
	}
	ll, hl, lh := YMM(), YMM(), YMM()
	VPMULUDQ(lo, v, ll)
	VPSRLQ(U8(32), v, hl)
	VPMULUDQ(lo, hl, hl)
	VPMULUDQ(hi, v, lh)
	VPADDQ(lh, hl, hl)
	VPSLLQ(U8(32), hl, hl)
	VPADDQ(hl, ll, v)
}

func genHashes(l level) {
	lanes := l.vbytes() / 8
	unit := l.unit(8)
	kernel(l, "hashInt64", "func(keys []int64, out []uint64)",
		fmt.Sprintf("hashInt64%s sets out[i] = mix(keys[i] ^ seed) (len(keys) a multiple of %d).", l.name, unit))
	p := Load(Param("keys").Base(), GP64())
	n := Load(Param("keys").Len(), GP64())
	out := Load(Param("out").Base(), GP64())
	x := newMixer(l)
	loop("hash", n, unit, 4, func(k int) {
		for j := range k * unit / lanes {
			v := l.vec()
			l.xor(Mem{Base: p, Disp: j * l.vbytes()}, x.seed, v)
			x.mix(v)
			l.store(v, Mem{Base: out, Disp: j * l.vbytes()})
		}
		ADDQ(U32(k*unit*8), p)
		ADDQ(U32(k*unit*8), out)
	})
	ret()

	genHashFixed(l)
	genProbe(l)
}

// genHashFixed writes hashFixed: lane i of a vector hashes key i of a group
// of keys, gathering its 8-byte words from offsets i*width + o. The words
// of a key are at o = 0, 8, 16, ... and at width-8 for the last one; a key
// of up to 8 bytes is one word read past its end (the Go side keeps those
// reads inside keys) and masked to width bytes.
func genHashFixed(l level) {
	lanes := l.vbytes() / 8
	kernel(l, "hashFixed", "func(keys []byte, width int, mask uint64, out []uint64)",
		fmt.Sprintf("hashFixed%s hashes the len(out) keys of width bytes (len(out) a multiple of %d); mask keeps the key's bytes of a word.", l.name, lanes))
	kp := Load(Param("keys").Base(), GP64())
	w := Load(Param("width"), GP64())
	out := Load(Param("out").Base(), GP64())
	n := Load(Param("out").Len(), GP64())
	msk := broadcast(l, "mask", 8)
	x := newMixer(l)
	// The lanes' offsets 0, w, 2w, ... and the step from group to group.
	idx := l.vec()
	VPMULUDQ(broadcast(l, "width", 8), vectorOfIota(l), idx)
	stride := GP64()
	MOVQ(w, stride)
	SHLQ(U8(map[int]uint8{4: 2, 8: 3}[lanes]), stride)
	// The offset of the last word: width-8, or 0 for a one-word key.
	last, zero := GP64(), GP64()
	MOVQ(w, last)
	SUBQ(U8(8), last)
	XORQ(zero, zero)
	CMPQ(last, zero)
	CMOVQLT(zero, last)
	Label("group")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	h := l.vec()
	l.mov(x.seed, h)
	o := GP64()
	XORQ(o, o)
	Label("word")
	at := GP64()
	MOVQ(o, at)
	CMPQ(at, last)
	CMOVQGT(last, at)
	base := GP64()
	LEAQ(Mem{Base: kp, Index: at, Scale: 1}, base)
	word := l.vec()
	m := Mem{Base: base, Index: idx, Scale: 1}
	if l.wide {
		k := K()
		KXNORB(k, k, k)
		VPGATHERQQ(m, k, word)
	} else {
		mv := YMM()
		VPCMPEQQ(mv, mv, mv)
		VPGATHERQQ(mv, m, word)
	}
	l.and(msk, word, word)
	l.xor(word, h, h)
	x.mix(h)
	CMPQ(at, last)
	JGE(LabelRef("stored"))
	ADDQ(U8(8), o)
	JMP(LabelRef("word"))
	Label("stored")
	l.store(h, Mem{Base: out})
	ADDQ(U8(8*lanes), out)
	ADDQ(stride, kp)
	SUBQ(U8(lanes), n)
	JMP(LabelRef("group"))
	Label("done")
	ret()
}

// vectorOfIota returns 0, 1, 2, ... in the 64-bit lanes of a vector.
func vectorOfIota(l level) VecVirtual {
	v := l.vec()
	l.load(vectorData("iota64", 0, 1, 2, 3, 4, 5, 6, 7), v)
	return v
}

// genProbe writes probe: for a vector of hashes, every lane probes its slot
// h & mask, and the lanes that have not found their tag or an empty slot
// move to the next slot, until all have or every slot has been seen once.
func genProbe(l level) {
	lanes := l.vbytes() / 8
	kernel(l, "probe", "func(table []uint64, hashes []uint64, out []int32)",
		fmt.Sprintf("probe%s sets out[i] to the first slot from hashes[i] & (len(table)-1) on that is 0 or hashes[i]|1, or -1 (len(hashes) a multiple of %d).", l.name, lanes))
	tp := Load(Param("table").Base(), GP64())
	size := Load(Param("table").Len(), GP64())
	hp := Load(Param("hashes").Base(), GP64())
	n := Load(Param("hashes").Len(), GP64())
	out := Load(Param("out").Base(), GP64())
	mask := GP64()
	LEAQ(Mem{Base: size, Disp: -1}, mask)
	maskv := l.vec()
	if l.wide {
		VPBROADCASTQ(mask, maskv)
	} else {
		mx := XMM()
		MOVQ(mask, mx)
		VPBROADCASTQ(mx, maskv)
	}
	one, zero := constant(l, 8, 1), l.vec()
	l.zero(zero)
	Label("group")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	h, tag, slot, res := l.vec(), l.vec(), l.vec(), l.vec()
	l.load(Mem{Base: hp}, h)
	l.or(one, h, tag)
	l.and(maskv, h, slot)
	l.ones(res)
	left := GP64()
	MOVQ(size, left)
	var active Op
	var activeV VecVirtual
	if l.wide {
		active = K()
		KXNORB(active, active, active)
	} else {
		activeV = YMM()
		VPCMPEQQ(activeV, activeV, activeV)
	}
	Label("step")
	t := l.vec()
	m := Mem{Base: tp, Index: slot, Scale: 8}
	if l.wide {
		g, eq, empty := K(), K(), K()
		KMOVB(active, g)
		l.zero(t)
		VPGATHERQQ(m, g, t)
		VPCMPEQQ(tag, t, active, eq)
		VPCMPEQQ(zero, t, active, empty)
		KORB(eq, empty, eq)
		VMOVDQA64(slot, eq, res)
		KANDNB(active, eq, active) // active &^= found
		KORTESTB(active, active)
	} else {
		g, eq, empty := YMM(), YMM(), YMM()
		VMOVDQA(activeV, g)
		l.zero(t)
		VPGATHERQQ(g, m, t)
		VPCMPEQQ(tag, t, eq)
		VPCMPEQQ(zero, t, empty)
		VPOR(eq, empty, eq)
		VPAND(activeV, eq, eq)
		VBLENDVPD(eq, slot, res, res)
		VPANDN(activeV, eq, activeV) // active &^= found
		VPTEST(activeV, activeV)
	}
	JZ(LabelRef("found"))
	DECQ(left)
	JZ(LabelRef("found"))
	VPADDQ(one, slot, slot)
	l.and(maskv, slot, slot)
	JMP(LabelRef("step"))
	Label("found")
	// The slots fit in 32 bits: keep the low half of each lane.
	if l.wide {
		VPMOVQD(res, Mem{Base: out})
	} else {
		p := YMM()
		VPSHUFD(U8(0x08), res, p)
		VPERMQ(U8(0x08), p, p)
		VMOVDQU(p.AsX(), Mem{Base: out})
	}
	ADDQ(U8(8*lanes), hp)
	ADDQ(U8(4*lanes), out)
	SUBQ(U8(lanes), n)
	JMP(LabelRef("group"))
	Label("done")
	ret()
}
