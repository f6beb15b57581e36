package types

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"rustydb/sqlerr"
)

// An interval Value keeps its microseconds in I and its months and days
// packed into the bits of F (months in the high 32 bits, days in the low
// 32), since no float arithmetic applies to intervals.

// NewInterval returns an interval of months, days and microseconds.
func NewInterval(months, days int32, us int64) Value {
	return Value{K: KInterval, I: us, F: math.Float64frombits(uint64(uint32(months))<<32 | uint64(uint32(days)))}
}

// IntervalParts returns an interval's months, days and microseconds.
func (v Value) IntervalParts() (months, days int32, us int64) {
	b := math.Float64bits(v.F)
	return int32(b >> 32), int32(uint32(b)), v.I
}

// intervalSpan is an interval's length for ordering, with PostgreSQL's
// convention of 30-day months and 24-hour days.
func intervalSpan(v Value) float64 {
	m, d, us := v.IntervalParts()
	return (float64(m)*30+float64(d))*usPerDay + float64(us)
}

// appendInterval prints PostgreSQL's default (postgres) interval style:
// "1 year 2 mons 3 days 04:05:06.5".
func appendInterval(buf []byte, v Value) []byte {
	months, days, us := v.IntervalParts()
	start := len(buf)
	// each part is plural unless it is exactly 1 ("-1 days"), as in PostgreSQL
	part := func(n int64, unit string) {
		if n == 0 {
			return
		}
		if len(buf) > start {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, n, 10)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if n != 1 {
			buf = append(buf, 's')
		}
	}
	part(int64(months/12), "year")
	part(int64(months%12), "mon")
	part(int64(days), "day")
	if us != 0 || len(buf) == start {
		if len(buf) > start {
			buf = append(buf, ' ')
		}
		if us < 0 {
			buf = append(buf, '-')
			us = -us
		}
		secs := us / 1_000_000
		buf = appendPadded(buf, int(secs/3600), 2)
		buf = append(buf, ':')
		buf = appendPadded(buf, int(secs/60%60), 2)
		buf = append(buf, ':')
		buf = appendPadded(buf, int(secs%60), 2)
		if frac := us % 1_000_000; frac != 0 {
			f := strconv.AppendInt(nil, frac+1_000_000, 10)[1:]
			buf = append(buf, '.')
			buf = append(buf, strings.TrimRight(string(f), "0")...)
		}
	}
	return buf
}

// intervalUnits maps unit words to months, days or microseconds per unit.
var intervalUnits = map[string]struct {
	months, days float64
	us           float64
}{
	"microsecond": {us: 1}, "microseconds": {us: 1}, "us": {us: 1},
	"millisecond": {us: 1e3}, "milliseconds": {us: 1e3}, "ms": {us: 1e3},
	"second": {us: 1e6}, "seconds": {us: 1e6}, "sec": {us: 1e6}, "secs": {us: 1e6}, "s": {us: 1e6},
	"minute": {us: 6e7}, "minutes": {us: 6e7}, "min": {us: 6e7}, "mins": {us: 6e7}, "m": {us: 6e7},
	"hour": {us: 3.6e9}, "hours": {us: 3.6e9}, "hr": {us: 3.6e9}, "hrs": {us: 3.6e9}, "h": {us: 3.6e9},
	"day": {days: 1}, "days": {days: 1}, "d": {days: 1},
	"week": {days: 7}, "weeks": {days: 7}, "w": {days: 7},
	"month": {months: 1}, "months": {months: 1}, "mon": {months: 1}, "mons": {months: 1},
	"year": {months: 12}, "years": {months: 12}, "yr": {months: 12}, "yrs": {months: 12}, "y": {months: 12},
	"decade": {months: 120}, "decades": {months: 120},
	"century": {months: 1200}, "centuries": {months: 1200},
}

// ParseInterval reads PostgreSQL's interval input: number-unit pairs
// ("1 year 2 months", "-3 days"), an optional [-]hh:mm[:ss[.f]] time and a
// trailing "ago". Fractions spill into smaller units (30-day months).
func ParseInterval(s string) (Value, error) {
	bad := func() (Value, error) {
		return Null, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: %q", s)
	}
	fields := strings.Fields(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@")))
	if len(fields) == 0 {
		return bad()
	}
	var months, days, us float64
	neg := false
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case f == "ago":
			neg = true
			continue
		case strings.Contains(f, ":"):
			sign := 1.0
			if strings.HasPrefix(f, "-") {
				sign, f = -1, f[1:]
			}
			f = strings.TrimPrefix(f, "+")
			parts := strings.Split(f, ":")
			if len(parts) > 3 {
				return bad()
			}
			mult := []float64{3.6e9, 6e7, 1e6}
			for j, p := range parts {
				x, err := strconv.ParseFloat(p, 64)
				if err != nil || x < 0 {
					return bad()
				}
				us += sign * x * mult[j]
			}
			continue
		}
		// a number, with its unit glued on ("3d") or as the next field
		end := len(f)
		for end > 0 && unicode.IsLetter(rune(f[end-1])) {
			end--
		}
		num, unit := f[:end], f[end:]
		if unit == "" {
			if i+1 >= len(fields) {
				unit = "second" // a bare number is seconds
			} else {
				i++
				unit = fields[i]
			}
		}
		x, err := strconv.ParseFloat(num, 64)
		u, ok := intervalUnits[unit]
		if err != nil || !ok {
			return bad()
		}
		months += x * u.months
		days += x * u.days
		us += x * u.us
	}
	// spill fractions: months into days, days into microseconds
	wholeMonths := math.Trunc(months)
	days += (months - wholeMonths) * 30
	wholeDays := math.Trunc(days)
	us += (days - wholeDays) * usPerDay
	if neg {
		wholeMonths, wholeDays, us = -wholeMonths, -wholeDays, -us
	}
	if math.Abs(wholeMonths) > math.MaxInt32 || math.Abs(wholeDays) > math.MaxInt32 || math.Abs(us) > 9.2e18 {
		return Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
	}
	return NewInterval(int32(wholeMonths), int32(wholeDays), int64(math.Round(us))), nil
}
