package tpchgen

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Dates are day numbers from 1992-01-01 (the specification's STARTDATE);
// the last, 1998-12-31, is ENDDATE.
const totalDays = 2557

var (
	dates [totalDays][10]byte
	// currentDate is 1995-06-17: line items received by then are returned
	// or accepted (R/A, else N) and shipped after it are open (O, else F).
	currentDate int
)

// orderDateMax leaves room for the longest ship (121 days) and receipt
// (30 more) delays before ENDDATE, as dbgen's O_ODATE_MAX does.
const orderDateMax = totalDays - 151 - 1

func init() {
	start := time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range dates {
		copy(dates[i][:], start.AddDate(0, 0, i).Format(time.DateOnly))
	}
	currentDate = int(time.Date(1995, 6, 17, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
}

// chunk is the state of one worker generating one chunk of rows: its own
// random stream, so that output does not depend on scheduling.
type chunk struct {
	r    *rand.Rand
	sc   *scale
	pool []byte
	out  [2][]byte // one buffer per output file of the job
}

// between returns a uniform integer in [lo, hi].
func (c *chunk) between(lo, hi int) int { return lo + c.r.IntN(hi-lo+1) }

// text appends a comment of length [lo, hi] cut from the text pool.
func (c *chunk) text(b []byte, lo, hi int) []byte {
	n := c.between(lo, hi)
	off := c.r.IntN(len(c.pool) - n)
	return append(b, c.pool[off:off+n]...)
}

// vstring appends a random alphanumeric string of length [lo, hi].
func (c *chunk) vstring(b []byte, lo, hi int) []byte {
	for range c.between(lo, hi) {
		b = append(b, alnum[c.r.IntN(len(alnum))])
	}
	return b
}

// phone appends a phone number whose country code is nation + 10 (4.2.2.9).
func (c *chunk) phone(b []byte, nation int) []byte {
	b = strconv.AppendInt(b, int64(nation+10), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(c.between(100, 999)), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(c.between(100, 999)), 10)
	b = append(b, '-')
	return strconv.AppendInt(b, int64(c.between(1000, 9999)), 10)
}

// money appends cents as a decimal with two places.
func money(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	return append(b, '.', byte('0'+cents/10%10), byte('0'+cents%10))
}

// keyName appends prefix and n zero-padded to nine digits (Customer#000000001).
func keyName(b []byte, prefix string, n int64) []byte {
	b = append(b, prefix...)
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	for i := len(d); i < 9; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

func field(b []byte, s string) []byte { return append(append(b, s...), '|') }

func intField(b []byte, n int64) []byte { return append(strconv.AppendInt(b, n, 10), '|') }

// retailPrice is P_RETAILPRICE in cents, a function of the key (4.2.3), so
// line items can price a part without looking it up.
func retailPrice(partkey int64) int64 {
	return 90000 + (partkey/10)%20001 + 100*(partkey%1000)
}

// partSupp returns the supplier of a part's i-th (0..3) PARTSUPP row; line
// items use the same formula, so every (l_partkey, l_suppkey) exists there.
func partSupp(partkey int64, i int, suppliers int64) int64 {
	return (partkey+int64(i)*(suppliers/4+(partkey-1)/suppliers))%suppliers + 1
}

// orderKey spreads order numbers sparsely as dbgen does: eight keys used
// out of every 32 (1-7, 32-39, 64-71, ...), leaving room for refresh inserts.
func orderKey(i int64) int64 { return (i>>3)<<5 | i&7 }

func genRegion(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		b = intField(b, k-1)
		b = field(b, regions[k-1])
		b = append(c.text(b, 31, 115), '\n')
	}
	c.out[0] = b
}

func genNation(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		n := nations[k-1]
		b = intField(b, k-1)
		b = field(b, n.name)
		b = intField(b, int64(n.region))
		b = append(c.text(b, 31, 114), '\n')
	}
	c.out[0] = b
}

func genSupplier(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		nation := c.between(0, 24)
		b = intField(b, k)
		b = append(keyName(b, "Supplier#", k), '|')
		b = append(c.vstring(b, 10, 40), '|')
		b = intField(b, int64(nation))
		b = append(c.phone(b, nation), '|')
		b = append(money(b, int64(c.between(-99999, 999999))), '|')
		start := len(b)
		b = c.text(b, 25, 100)
		// About 10 suppliers in 10,000 carry a Better Business Bureau remark
		// (4.2.3), half of them complaints: Q16 excludes those.
		if c.r.IntN(10000) < 10 {
			remark := "Recommends"
			if c.r.IntN(2) == 0 {
				remark = "Complaints"
			}
			cm := b[start:]
			const fixed = len("Customer ") + len("Complaints")
			noise := c.between(0, len(cm)-fixed)
			off := c.between(0, len(cm)-fixed-noise)
			copy(cm[off:], "Customer ")
			copy(cm[off+9+noise:], remark)
		}
		b = append(b, '\n')
	}
	c.out[0] = b
}

func genCustomer(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		nation := c.between(0, 24)
		b = intField(b, k)
		b = append(keyName(b, "Customer#", k), '|')
		b = append(c.vstring(b, 10, 40), '|')
		b = intField(b, int64(nation))
		b = append(c.phone(b, nation), '|')
		b = append(money(b, int64(c.between(-99999, 999999))), '|')
		b = field(b, segments[c.r.IntN(len(segments))])
		b = append(c.text(b, 29, 116), '\n')
	}
	c.out[0] = b
}

func genPart(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		b = intField(b, k)
		// Five distinct colours (Q9 looks for '%green%', Q20 for 'forest%').
		var picked [5]int
		for i := range picked {
			picked[i] = c.r.IntN(len(colors))
			for slices.Contains(picked[:i], picked[i]) {
				picked[i] = c.r.IntN(len(colors))
			}
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, colors[picked[i]]...)
		}
		b = append(b, '|')
		mfgr := c.between(1, 5)
		b = append(b, "Manufacturer#"...)
		b = append(strconv.AppendInt(b, int64(mfgr), 10), '|')
		b = append(b, "Brand#"...)
		b = append(strconv.AppendInt(b, int64(mfgr*10+c.between(1, 5)), 10), '|')
		b = append(b, typeSyllables1[c.r.IntN(len(typeSyllables1))]...)
		b = append(b, ' ')
		b = append(b, typeSyllables2[c.r.IntN(len(typeSyllables2))]...)
		b = append(b, ' ')
		b = field(b, typeSyllables3[c.r.IntN(len(typeSyllables3))])
		b = intField(b, int64(c.between(1, 50)))
		b = append(b, containerSyllables1[c.r.IntN(len(containerSyllables1))]...)
		b = append(b, ' ')
		b = field(b, containerSyllables2[c.r.IntN(len(containerSyllables2))])
		b = append(money(b, retailPrice(k)), '|')
		b = append(c.text(b, 5, 22), '\n')
	}
	c.out[0] = b
}

// genPartSupp writes the four suppliers of parts lo..hi-1.
func genPartSupp(c *chunk, lo, hi int64) {
	b := c.out[0]
	for k := lo; k < hi; k++ {
		for i := range 4 {
			b = intField(b, k)
			b = intField(b, partSupp(k, i, c.sc.suppliers))
			b = intField(b, int64(c.between(1, 9999)))
			b = append(money(b, int64(c.between(100, 100000))), '|')
			b = append(c.text(b, 49, 198), '\n')
		}
	}
	c.out[0] = b
}

// genOrders writes orders lo..hi-1 (by sequence number) and their line
// items: an order's status and total price derive from its lines.
func genOrders(c *chunk, lo, hi int64) {
	o, l := c.out[0], c.out[1]
	for i := lo; i < hi; i++ {
		key := orderKey(i)
		date := c.between(0, orderDateMax)
		// A third of the customers (keys divisible by 3) place no orders,
		// which Q13 and Q22 count.
		cust := int64(0)
		for cust%3 == 0 {
			cust = 1 + c.r.Int64N(c.sc.customers)
		}
		var total int64
		open, lines := 0, c.between(1, 7)
		for n := 1; n <= lines; n++ {
			part := 1 + c.r.Int64N(c.sc.parts)
			supp := partSupp(part, c.r.IntN(4), c.sc.suppliers)
			qty := int64(c.between(1, 50))
			price := qty * retailPrice(part)
			disc, tax := int64(c.between(0, 10)), int64(c.between(0, 8))
			ship := date + c.between(1, 121)
			commit := date + c.between(30, 90)
			receipt := ship + c.between(1, 30)
			// dbgen's integer arithmetic in cents, truncating at each step.
			total += price * (100 - disc) / 100 * (100 + tax) / 100

			l = intField(l, key)
			l = intField(l, part)
			l = intField(l, supp)
			l = intField(l, int64(n))
			l = append(money(l, qty*100), '|')
			l = append(money(l, price), '|')
			l = append(money(l, disc), '|')
			l = append(money(l, tax), '|')
			switch {
			case receipt > currentDate:
				l = append(l, 'N', '|')
			case c.r.IntN(2) == 0:
				l = append(l, 'R', '|')
			default:
				l = append(l, 'A', '|')
			}
			if ship > currentDate {
				l = append(l, 'O', '|')
				open++
			} else {
				l = append(l, 'F', '|')
			}
			l = append(append(l, dates[ship][:]...), '|')
			l = append(append(l, dates[commit][:]...), '|')
			l = append(append(l, dates[receipt][:]...), '|')
			l = field(l, instructions[c.r.IntN(len(instructions))])
			l = field(l, shipModes[c.r.IntN(len(shipModes))])
			l = append(c.text(l, 10, 43), '\n')
		}

		o = intField(o, key)
		o = intField(o, cust)
		switch open {
		case 0:
			o = append(o, 'F', '|')
		case lines:
			o = append(o, 'O', '|')
		default:
			o = append(o, 'P', '|')
		}
		o = append(money(o, total), '|')
		o = append(append(o, dates[date][:]...), '|')
		o = field(o, priorities[c.r.IntN(len(priorities))])
		o = append(keyName(o, "Clerk#", int64(c.between(1, int(c.sc.clerks)))), '|')
		o = append(o, '0', '|')
		o = append(c.text(o, 19, 78), '\n')
	}
	c.out[0], c.out[1] = o, l
}
