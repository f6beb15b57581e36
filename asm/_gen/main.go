// Command _gen writes the AVX2 and AVX-512 kernels of package rustydb/asm
// with avo: the assembly, its Go stubs, and the tables that list each
// level's stubs for the dispatch code. Run it with `go generate` in asm/.
//
// Every kernel is written once, for a level and an element type; the loops
// in main and in each gen function produce the variants. The operand order
// is Go's (sources first, destination last), which is Intel's reversed: for
// a compare, `VPCMPGTQ src2, src1, dst` sets dst to src1 > src2, and a
// memory operand can only be src2.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var tablesOut = flag.String("tables", "", "write the Go tables of each level's stubs to `file`")

func main() {
	flag.Parse()
	ConstraintExpr("!noasm")
	for _, l := range []level{avx2, avx512} {
		genSums(l)
		genMinMax(l)
		genSumSel(l)
		genCompares(l)
		genBitmaps(l)
		genGathers(l)
		genHashes(l)
	}
	Generate()
	if err := writeTables(*tablesOut); err != nil {
		log.Fatal(err)
	}
}

// level is an instruction set the kernels are written for.
type level struct {
	name string // suffix of the function names and name of the table
	wide bool   // AVX-512: 64-byte ZMM vectors and K mask registers
}

var (
	avx2   = level{name: "AVX2"}
	avx512 = level{name: "AVX512", wide: true}
)

// vbytes is the size of a vector.
func (l level) vbytes() int {
	if l.wide {
		return 64
	}
	return 32
}

// vec allocates a vector register.
func (l level) vec() VecVirtual {
	if l.wide {
		return ZMM()
	}
	return YMM()
}

// unit is how many elements of size esize a kernel handles at a time, and
// so the granularity of the prefix that the Go side hands it: at least a
// vector, and at least 8 so that a unit's bits fill whole bytes of a bitmap.
func (l level) unit(esize int) int { return max(8, l.vbytes()/esize) }

// The vector moves and bitwise operations have VEX names for YMM and EVEX
// names for ZMM.

func (l level) load(m Mem, v Register) {
	if l.wide {
		VMOVDQU64(m, v)
	} else {
		VMOVDQU(m, v)
	}
}

func (l level) store(v Register, m Mem) {
	if l.wide {
		VMOVDQU64(v, m)
	} else {
		VMOVDQU(v, m)
	}
}

func (l level) mov(src, dst Register) {
	if l.wide {
		VMOVDQA64(src, dst)
	} else {
		VMOVDQA(src, dst)
	}
}

func (l level) xor(a, b Op, dst Register) {
	if l.wide {
		VPXORQ(a, b, dst)
	} else {
		VPXOR(a, b, dst)
	}
}

func (l level) and(a, b Op, dst Register) {
	if l.wide {
		VPANDQ(a, b, dst)
	} else {
		VPAND(a, b, dst)
	}
}

func (l level) or(a, b Op, dst Register) {
	if l.wide {
		VPORQ(a, b, dst)
	} else {
		VPOR(a, b, dst)
	}
}

// andNot sets dst = a &^ b.
func (l level) andNot(a, b Op, dst Register) {
	if l.wide {
		VPANDNQ(a, b, dst)
	} else {
		VPANDN(a, b, dst)
	}
}

func (l level) zero(v Register) { l.xor(v, v, v) }

// ones sets every bit of v.
func (l level) ones(v Register) {
	if l.wide {
		VPTERNLOGQ(U8(0xff), v, v, v)
	} else {
		VPCMPEQQ(v, v, v)
	}
}

// tables lists, for each level, the kernels written for it: the names of the
// fields of the Go stubs struct.
var tables = map[string][]string{}

// kernel starts the function field+level.name with the Go signature sig.
func kernel(l level, field, sig string, doc ...string) {
	TEXT(field+l.name, NOSPLIT, sig)
	// The kernels keep no pointer: without noescape every slice passed to
	// them would move to the heap.
	Pragma("noescape")
	Doc(doc...)
	tables[l.name] = append(tables[l.name], field)
}

// ret ends a kernel; VZEROUPPER avoids the penalty that SSE code running
// after dirty upper halves of vector registers would pay.
func ret() {
	VZEROUPPER()
	RET()
}

// loop emits a loop over n elements, n a multiple of unit: `big` units a
// turn while there are that many, then one unit a turn. body(k) handles k
// units at the current pointers and advances them. Labels start with name.
func loop(name string, n Register, unit, big int, body func(k int)) {
	Label(name + "_big")
	CMPQ(n, U32(big*unit))
	JB(LabelRef(name + "_one"))
	body(big)
	SUBQ(U32(big*unit), n)
	JMP(LabelRef(name + "_big"))
	Label(name + "_one")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	body(1)
	SUBQ(U32(unit), n)
	JMP(LabelRef(name + "_one"))
	Label(name + "_done")
}

// streamLoop is loop for inputs of at least a MiB of esize-byte elements at
// p: those stream from memory, and prefetching 2 KiB ahead keeps more
// cache lines in flight than the hardware prefetcher alone (+25-35% for the
// int32 sums on the development machine). Smaller inputs skip it: in L1
// the prefetches only cost.
func streamLoop(name string, p, n Register, unit, big, esize int, body func(k int)) {
	const ahead, least = 2048, 1 << 20
	CMPQ(n, U32(least/esize))
	JB(LabelRef(name + "_big"))
	Label(name + "_stream")
	for off := 0; off < big*unit*esize; off += 64 {
		PREFETCHT0(Mem{Base: p, Disp: ahead + off})
	}
	body(big)
	SUBQ(U32(big*unit), n)
	CMPQ(n, U32(big*unit))
	JAE(LabelRef(name + "_stream"))
	loop(name, n, unit, big, body)
}

// broadcast loads the esize-byte parameter param into every lane of a
// vector. A 4-byte one goes through a register: go vet does not accept
// VPBROADCASTD from an argument.
func broadcast(l level, param string, esize int) VecVirtual {
	if esize == 4 {
		r, v := Load(Param(param), GP32()), l.vec()
		if l.wide {
			VPBROADCASTD(r, v)
		} else {
			x := XMM()
			VMOVD(r, x)
			VPBROADCASTD(x, v)
		}
		return v
	}
	b, err := Param(param).Resolve()
	if err != nil {
		log.Fatal(err)
	}
	return broadcastMem(l, b.Addr, esize)
}

func broadcastMem(l level, m Mem, esize int) VecVirtual {
	v := l.vec()
	if esize == 4 {
		VPBROADCASTD(m, v)
	} else {
		VPBROADCASTQ(m, v)
	}
	return v
}

// constants holds the read-only data written so far, by name.
var constants = map[string]Mem{}

// constant returns a vector with every esize-byte lane set to c, from
// read-only data that every kernel shares.
func constant(l level, esize int, c uint64) VecVirtual {
	name := fmt.Sprintf("c%d_%x", 8*esize, c)
	m, ok := constants[name]
	if !ok {
		if esize == 4 {
			m = ConstData(name, U32(c))
		} else {
			m = ConstData(name, U64(c))
		}
		constants[name] = m
	}
	return broadcastMem(l, m, esize)
}

// vectorData returns read-only data holding the 64-bit words ws, for a
// constant that differs from lane to lane.
func vectorData(name string, ws ...uint64) Mem {
	if m, ok := constants[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	for i, w := range ws {
		DATA(8*i, U64(w))
	}
	constants[name] = m
	return m
}

// fold combines the lanes of v with combine(a, b, dst) until the low lane of
// the returned XMM register holds the result for all esize-byte lanes.
func fold(l level, v VecVirtual, esize int, combine func(a, b, dst Register)) VecVirtual {
	y := v
	if l.wide {
		y = YMM()
		VEXTRACTI64X4(U8(1), v, y)
		combine(v.AsY(), y, y)
	}
	x := XMM()
	VEXTRACTI128(U8(1), y, x)
	combine(y.AsX(), x, x)
	t := XMM()
	VPSHUFD(U8(0x4e), x, t) // swap the two quadwords
	combine(x, t, t)
	if esize == 4 {
		VPSHUFD(U8(0xb1), t, x) // swap the dwords of each quadword
		combine(t, x, x)
		return x
	}
	return t
}

// writeTables writes the Go file that lists each level's stubs.
func writeTables(file string) error {
	if file == "" {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by command: go run . (in asm/_gen). DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "//go:build !noasm\n\npackage asm\n\n")
	for _, l := range []level{avx2, avx512} {
		fmt.Fprintf(&b, "// stubs%s are the %s kernels written by asm/_gen.\n", l.name, l.name)
		fmt.Fprintf(&b, "var stubs%s = stubs{\n", l.name)
		for _, f := range tables[l.name] {
			fmt.Fprintf(&b, "%s: %s%s,\n", f, f, l.name)
		}
		fmt.Fprintf(&b, "}\n\n")
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(file, src, 0o644)
}
