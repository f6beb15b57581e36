package exec

// to_char(value, format) renders a timestamp, date, interval or number by a
// picture, as PostgreSQL's formatting.c does. The English names and the C
// locale's separators are used, except that L is the dollar sign.

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"rustydb/plan"
	"rustydb/sqlerr"
	"rustydb/types"
)

// toChar compiles to_char; the binder has typed the value as a date,
// timestamp (with or without time zone), interval or number and the format
// as text. A format is parsed once and kept while the next rows bring the
// same one.
func (c *Context) toChar(exprs []plan.Expr, args []evalFn) evalFn {
	t := exprs[0].Type()
	datetime := t.ID == types.Date || t.ID == types.Timestamp || t.ID == types.TimestampTZ || t.ID == types.Interval
	var lastFormat string
	parsed := false
	var dch []dchItem
	var num *numPicture
	return func(row []types.Value) (types.Value, error) {
		v, err := args[0](row)
		if err != nil || v.IsNull() {
			return types.Null, err
		}
		f, err := args[1](row)
		if err != nil || f.IsNull() || datetime && f.S == "" {
			return types.Null, err
		}
		if !parsed || f.S != lastFormat {
			if datetime {
				dch = parseDCH(f.S)
			} else if num, err = parseNum(f.S); err != nil {
				return types.Null, err
			}
			lastFormat, parsed = f.S, true
		}
		if !datetime {
			return types.NewText(num.format(v, t)), nil
		}
		var tm dateParts
		switch t.ID {
		case types.Date: // as the timestamp with time zone of its midnight, as in PostgreSQL
			tm = zonedParts(types.FromLocal(v.I*86400_000_000, c.Loc), c.Loc)
		case types.TimestampTZ:
			tm = zonedParts(v.I, c.Loc)
		case types.Timestamp:
			tm = timestampParts(v.I)
		default:
			tm = intervalParts(v)
		}
		s, err := formatDCH(dch, &tm)
		if err != nil {
			return types.Null, err
		}
		return types.NewText(s), nil
	}
}

// formatLiteral reads the literal at the start of s, which is no pattern:
// a double-quoted string (in which a backslash quotes the next character)
// or one character (a backslash before a double quote stands for the
// quote). It returns the text and the bytes used.
func formatLiteral(s string) (string, int) {
	if s[0] == '"' {
		var b strings.Builder
		i := 1
		for i < len(s) {
			if s[i] == '"' {
				return b.String(), i + 1
			}
			if s[i] == '\\' && i+1 < len(s) {
				i++
			}
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
		}
		return b.String(), i
	}
	skip := 0
	if s[0] == '\\' && len(s) > 1 && s[1] == '"' {
		skip = 1
	}
	_, n := utf8.DecodeRuneInString(s[skip:])
	return s[skip : skip+n], skip + n
}

// matchKeyword returns the longest of keywords that s starts with.
func matchKeyword(s string, keywords []string) string {
	best := ""
	for _, k := range keywords {
		if len(k) > len(best) && strings.HasPrefix(s, k) {
			best = k
		}
	}
	return best
}

// Date and time patterns.

// dchKeywords are the date and time patterns. Case matters only where it
// changes the output (Month, MONTH, month); lower-case spellings of the
// others are the same pattern.
var dchKeywords = []string{
	"A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D",
	"FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW",
	"IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF",
	"P.M.", "PM", "Q", "RM", "SSSSS", "SSSS", "SS", "TZH", "TZM", "TZ", "US", "WW", "W",
	"Y,YYY", "YYYY", "YYY", "YY", "Y",
	"a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d",
	"ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx", "hh24", "hh12", "hh", "iddd", "id", "iw",
	"iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of",
	"p.m.", "pm", "q", "rm", "sssss", "ssss", "ss", "tzh", "tzm", "tz", "us", "ww", "w",
	"y,yyy", "yyyy", "yyy", "yy", "y",
}

// dchCased are the patterns whose spelling's case shows in the output.
var dchCased = map[string]bool{
	"A.D.": true, "A.M.": true, "AD": true, "AM": true, "B.C.": true, "BC": true,
	"DAY": true, "DY": true, "Day": true, "Dy": true, "MONTH": true, "MON": true,
	"Month": true, "Mon": true, "P.M.": true, "PM": true, "RM": true, "TZ": true,
	"a.d.": true, "a.m.": true, "ad": true, "am": true, "b.c.": true, "bc": true,
	"day": true, "dy": true, "month": true, "mon": true, "p.m.": true, "pm": true,
	"rm": true, "tz": true,
}

// dchItem is a pattern (kw) with its FM or TM prefix and TH suffix, or
// literal text.
type dchItem struct {
	kw, text string
	fill     bool // FM: no padding
	// TM: translated names, which are not padded; English is the language
	translate bool
	th        int // TH or th suffix: 1 upper case, 2 lower case
}

func parseDCH(f string) []dchItem {
	var items []dchItem
	for f != "" {
		var it dchItem
		rest := f
		// one prefix, which is dropped when no pattern follows it
		switch {
		case strings.HasPrefix(rest, "FM"), strings.HasPrefix(rest, "fm"):
			it.fill, rest = true, rest[2:]
		case strings.HasPrefix(rest, "TM"), strings.HasPrefix(rest, "tm"):
			it.translate, rest = true, rest[2:]
		}
		if kw := matchKeyword(rest, dchKeywords); kw != "" {
			it.kw = kw
			if !dchCased[kw] {
				it.kw = strings.ToUpper(kw)
			}
			rest = rest[len(kw):]
			switch {
			case strings.HasPrefix(rest, "TH"):
				it.th, rest = 1, rest[2:]
			case strings.HasPrefix(rest, "th"):
				it.th, rest = 2, rest[2:]
			}
			if strings.HasPrefix(rest, "SP") || strings.HasPrefix(rest, "sp") {
				rest = rest[2:] // spell mode is not implemented in PostgreSQL either
			}
			items = append(items, it)
			f = rest
			continue
		}
		if rest == "" {
			break
		}
		text, n := formatLiteral(rest)
		items = append(items, dchItem{text: text})
		f = rest[n:]
	}
	return items
}

// dateParts are the fields of a timestamp or an interval that the patterns
// show. An interval keeps its signs and hours beyond a day; its year day
// approximates its length in days, as in PostgreSQL.
type dateParts struct {
	year, mon, mday      int64
	hour, min, sec, usec int64
	wday, yday           int64 // day of the week, 0 for Sunday; day of the year from 1
	interval             bool
	// zone is the time zone's abbreviation and offset the seconds east of
	// UTC, for a timestamp with time zone ("" and 0 without).
	zone   string
	offset int64
}

func timestampParts(us int64) dateParts {
	secs := divFloor(us, 1_000_000)
	t := time.Unix(secs, 0).UTC()
	return dateParts{
		year: int64(t.Year()), mon: int64(t.Month()), mday: int64(t.Day()),
		hour: int64(t.Hour()), min: int64(t.Minute()), sec: int64(t.Second()), usec: us - secs*1_000_000,
		wday: int64(t.Weekday()), yday: int64(t.YearDay()),
	}
}

// zonedParts are the fields of instant us on the wall clock of loc (nil
// for UTC).
func zonedParts(us int64, loc *time.Location) dateParts {
	if loc == nil {
		loc = time.UTC
	}
	p := timestampParts(types.ToLocal(us, loc))
	p.zone, _ = time.Unix(divFloor(us, 1_000_000), 0).In(loc).Zone()
	p.offset = types.ZoneOffset(us, loc)
	return p
}

func intervalParts(v types.Value) dateParts {
	m, d, us := v.IntervalParts()
	p := dateParts{
		year: int64(m / 12), mon: int64(m % 12), mday: int64(d),
		hour: us / 3600_000_000, min: us / 60_000_000 % 60, sec: us / 1_000_000 % 60, usec: us % 1_000_000,
		interval: true,
	}
	p.yday = (p.year*12+p.mon)*30 + p.mday
	return p
}

func divFloor(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames    = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	romanMonths = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}
)

// zeroPad formats n zero-padded to width characters, its minus sign
// included as printf's %0*d counts it, or without padding in fill mode.
func zeroPad(n int64, width int, fill bool) string {
	s := strconv.FormatInt(abs64(n), 10)
	sign := ""
	if n < 0 {
		sign, width = "-", width-1
	}
	if !fill && len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return sign + s
}

// padName pads a month or day name to 9 characters unless in fill mode.
func padName(s string, fill bool) string {
	if fill || len(s) >= 9 {
		return s
	}
	return s + strings.Repeat(" ", 9-len(s))
}

// caseAs gives name the case of the pattern that asked for it: Month,
// MONTH or month.
func caseAs(name, kw string) string {
	switch {
	case strings.ToUpper(kw) == kw:
		return strings.ToUpper(name)
	case strings.ToLower(kw) == kw:
		return strings.ToLower(name)
	}
	return name
}

// ordinalSuffix returns the English ordinal suffix of the number s ends with.
func ordinalSuffix(s string, upper bool) string {
	suffix := "th"
	if n := len(s); n > 0 && s[n-1] >= '0' && s[n-1] <= '9' && !(n > 1 && s[n-2] == '1') {
		switch s[n-1] {
		case '1':
			suffix = "st"
		case '2':
			suffix = "nd"
		case '3':
			suffix = "rd"
		}
	}
	if upper {
		return strings.ToUpper(suffix)
	}
	return suffix
}

// notForInterval are the patterns that name calendar things an interval
// does not have.
var notForInterval = map[string]bool{
	"A.D.": true, "AD": true, "B.C.": true, "BC": true, "a.d.": true, "ad": true, "b.c.": true, "bc": true,
	"DAY": true, "Day": true, "day": true, "DY": true, "Dy": true, "dy": true, "D": true, "ID": true,
	"MONTH": true, "Month": true, "month": true, "MON": true, "Mon": true, "mon": true,
	"TZ": true, "tz": true, "OF": true, "TZH": true, "TZM": true,
}

func formatDCH(items []dchItem, tm *dateParts) (string, error) {
	var b strings.Builder
	// year is the year without sign for dates (1 BC is year 0 of the
	// proleptic calendar); an interval's years are shown as they are.
	year := tm.year
	if !tm.interval && year <= 0 {
		year = 1 - year
	}
	hour12 := tm.hour % 12
	if hour12 == 0 {
		hour12 = 12
	}
	// width widens a field by its minus sign (an interval's can be negative)
	width := func(n int64, w int) int {
		if n < 0 {
			return w + 1
		}
		return w
	}
	for _, it := range items {
		if it.kw == "" {
			b.WriteString(it.text)
			continue
		}
		if tm.interval && notForInterval[it.kw] {
			return "", sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid format specification for an interval value").
				WithHint("Intervals are not tied to specific calendar dates.")
		}
		var s string
		numeric := true // a number, which TH can follow
		switch it.kw {
		case "A.M.", "P.M.", "AM", "PM", "a.m.", "p.m.", "am", "pm":
			numeric = false
			s = "AM"
			if tm.hour%24 >= 12 {
				s = "PM"
			}
			if strings.Contains(it.kw, ".") {
				s = s[:1] + "." + s[1:] + "."
			}
			s = caseAs(s, it.kw)
		case "A.D.", "B.C.", "AD", "BC", "a.d.", "b.c.", "ad", "bc":
			numeric = false
			s = "AD"
			if tm.year <= 0 {
				s = "BC"
			}
			if strings.Contains(it.kw, ".") {
				s = s[:1] + "." + s[1:] + "."
			}
			s = caseAs(s, it.kw)
		case "HH", "HH12":
			s = zeroPad(hour12, width(tm.hour, 2), it.fill)
		case "HH24":
			s = zeroPad(tm.hour, width(tm.hour, 2), it.fill)
		case "MI":
			s = zeroPad(tm.min, width(tm.min, 2), it.fill)
		case "SS":
			s = zeroPad(tm.sec, width(tm.sec, 2), it.fill)
		case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6":
			digits := int(it.kw[2] - '0')
			s = zeroPad(tm.usec/int64(math.Pow10(6-digits)), digits, false)
		case "MS":
			s = zeroPad(tm.usec/1000, 3, false)
		case "US":
			s = zeroPad(tm.usec, 6, false)
		case "SSSS", "SSSSS":
			s = strconv.FormatInt(tm.hour*3600+tm.min*60+tm.sec, 10)
		case "TZ":
			numeric = false
			s = tm.zone
		case "tz":
			numeric = false
			s = strings.ToLower(tm.zone)
		case "OF", "TZH":
			numeric = false
			s = "+"
			if tm.offset < 0 {
				s = "-"
			}
			s += zeroPad(abs64(tm.offset)/3600, 2, it.fill && it.kw == "OF")
			if m := abs64(tm.offset) % 3600 / 60; m != 0 && it.kw == "OF" {
				s += ":" + zeroPad(m, 2, false)
			}
		case "TZM":
			s = zeroPad(abs64(tm.offset)%3600/60, 2, false)
		case "MONTH", "Month", "month":
			numeric = false
			if tm.mon != 0 {
				s = padName(caseAs(monthNames[tm.mon-1], it.kw), it.fill || it.translate)
			}
		case "MON", "Mon", "mon":
			numeric = false
			if tm.mon != 0 {
				s = caseAs(monthNames[tm.mon-1][:3], it.kw)
			}
		case "MM":
			s = zeroPad(tm.mon, width(tm.mon, 2), it.fill)
		case "DAY", "Day", "day":
			numeric = false
			s = padName(caseAs(dayNames[tm.wday], it.kw), it.fill || it.translate)
		case "DY", "Dy", "dy":
			numeric = false
			s = caseAs(dayNames[tm.wday][:3], it.kw)
		case "DDD":
			s = zeroPad(tm.yday, 3, it.fill)
		case "DD":
			s = zeroPad(tm.mday, 2, it.fill)
		case "D":
			s = strconv.FormatInt(tm.wday+1, 10)
		case "ID":
			s = strconv.FormatInt((tm.wday+6)%7+1, 10)
		case "IDDD", "IW", "IYYY", "IYY", "IY", "I":
			day := time.Date(int(tm.year), time.Month(tm.mon), int(tm.mday), 0, 0, 0, 0, time.UTC)
			isoYear, isoWeek := day.ISOWeek()
			iy := int64(isoYear)
			if !tm.interval && iy <= 0 {
				iy = 1 - iy
			}
			// the widths allow for the sign of the (calendar) year, as in PostgreSQL
			switch it.kw {
			case "IDDD":
				s = zeroPad(int64(isoWeek-1)*7+int64(day.Weekday()+6)%7+1, 3, it.fill)
			case "IW":
				s = zeroPad(int64(isoWeek), 2, it.fill)
			case "IYYY":
				s = zeroPad(iy, width(year, 4), it.fill)
			case "IYY":
				s = zeroPad(iy%1000, width(year, 3), it.fill)
			case "IY":
				s = zeroPad(iy%100, width(year, 2), it.fill)
			default:
				s = zeroPad(iy%10, width(year, 1), it.fill)
			}
		case "WW":
			s = zeroPad((tm.yday-1)/7+1, 2, it.fill)
		case "W":
			s = strconv.FormatInt((tm.mday-1)/7+1, 10)
		case "Q":
			if tm.mon != 0 {
				s = strconv.FormatInt((tm.mon-1)/3+1, 10)
			}
		case "CC":
			var cc int64
			switch {
			case tm.interval:
				cc = tm.year / 100
			case tm.year > 0:
				cc = (tm.year-1)/100 + 1
			default:
				cc = tm.year/100 - 1
			}
			if cc <= 99 && cc >= -99 {
				s = zeroPad(cc, width(cc, 2), it.fill)
			} else {
				s = strconv.FormatInt(cc, 10)
			}
		case "J":
			days := time.Date(int(tm.year), time.Month(tm.mon), int(tm.mday), 0, 0, 0, 0, time.UTC).Unix() / 86400
			s = strconv.FormatInt(days+2440588, 10) // 1970-01-01 is Julian day 2440588
		case "RM", "rm":
			numeric = false
			if tm.mon == 0 && tm.year == 0 {
				break
			}
			// an interval's negative months count back from December, and
			// whole years show as XII (or I when negative)
			mon := tm.mon
			switch {
			case mon < 0:
				mon += 13
			case mon == 0 && tm.year >= 0:
				mon = 12
			case mon == 0:
				mon = 1
			}
			s = romanMonths[mon-1]
			if !it.fill {
				s += strings.Repeat(" ", 4-len(s))
			}
			s = caseAs(s, it.kw)
		case "Y,YYY":
			s = strconv.FormatInt(year/1000, 10) + "," + zeroPad(year%1000, 3, false)
		case "YYYY":
			s = zeroPad(year, width(year, 4), it.fill)
		case "YYY":
			s = zeroPad(year%1000, width(year, 3), it.fill)
		case "YY":
			s = zeroPad(year%100, width(year, 2), it.fill)
		case "Y":
			s = zeroPad(year%10, width(year, 1), it.fill)
		default: // FX: exact matching, for parsing only
			numeric = false
		}
		b.WriteString(s)
		if numeric && it.th != 0 {
			b.WriteString(ordinalSuffix(s, it.th == 1))
		}
	}
	return b.String(), nil
}

// Number patterns.

var numKeywords = []string{
	"9", "0", ".", ",", "D", "d", "G", "g", "S", "s", "L", "l", "MI", "mi", "PL", "pl", "SG", "sg",
	"PR", "pr", "FM", "fm", "TH", "th", "V", "v", "RN", "rn", "EEEE", "eeee",
}

// numItem is a pattern of a number format, or literal text (kw "").
type numItem struct {
	kw, text string
}

// numPicture is a parsed number format.
type numPicture struct {
	items []numItem
	// pre and post count the digit positions before and after the decimal
	// point; multi those after V, which shift the value left.
	pre, post, multi int
	// zeroStart is the first integer position shown with leading zeros
	// (the first 0), -1 for none; zeroEnd counts the positions up to the
	// last 0, whose trailing zeros fill mode keeps.
	zeroStart, zeroEnd int
	point              bool
	fill               bool // FM: no padding, no trailing fraction zeros for 9
	bracket            bool // PR: <negative>
	minus, plus        bool // MI or SG; PL or SG: the sign has its own place
	// sign is S: signLeading floats before the first digit, signTrailing
	// follows the last one.
	sign              int
	roman, lowerRoman bool
	eeee              bool
}

const (
	signNone = iota
	signLeading
	signTrailing
)

func numFormatError(msg string) error { return sqlerr.New(sqlerr.SyntaxError, "%s", msg) }

func parseNum(f string) (*numPicture, error) {
	p := &numPicture{zeroStart: -1}
	for f != "" {
		kw := matchKeyword(f, numKeywords)
		if kw == "" {
			text, n := formatLiteral(f)
			p.items = append(p.items, numItem{text: text})
			f = f[n:]
			continue
		}
		f = f[len(kw):]
		up := strings.ToUpper(kw)
		switch up {
		case "9", "0":
			if p.bracket {
				return nil, numFormatError(`"` + kw + `" must be ahead of "PR"`)
			}
			switch {
			case p.hasV():
				p.multi++
			case p.point:
				p.post++
			default:
				if up == "0" && p.zeroStart < 0 {
					p.zeroStart = p.pre
				}
				p.pre++
			}
			if up == "0" {
				p.zeroEnd = p.pre + p.post
			}
		case ".", "D":
			if p.point {
				return nil, numFormatError("multiple decimal points")
			}
			if p.hasV() {
				return nil, numFormatError(`cannot use "V" and decimal point together`)
			}
			p.point = true
			up = "."
		case "S":
			if p.sign != signNone {
				return nil, numFormatError(`cannot use "S" twice`)
			}
			if p.plus || p.minus || p.bracket {
				return nil, numFormatError(`cannot use "S" and "PL"/"MI"/"SG"/"PR" together`)
			}
			p.sign = signLeading
			if p.point {
				p.sign = signTrailing
			}
		case "MI", "PL", "SG", "PR":
			if p.sign != signNone {
				return nil, numFormatError(`cannot use "S" and "` + up + `" together`)
			}
			switch up {
			case "MI":
				p.minus = true
			case "PL":
				p.plus = true
			case "SG":
				p.minus, p.plus = true, true
			default:
				if p.plus || p.minus {
					return nil, numFormatError(`cannot use "PR" and "S"/"PL"/"MI"/"SG" together`)
				}
				p.bracket = true
			}
		case "FM":
			p.fill = true
			continue
		case "V":
			if p.point {
				return nil, numFormatError(`cannot use "V" and decimal point together`)
			}
		case "RN":
			p.roman, p.lowerRoman = true, kw == "rn"
		case "EEEE":
			if p.eeee {
				return nil, numFormatError(`cannot use "EEEE" twice`)
			}
			p.eeee = true
		}
		if up == "TH" {
			up = kw // th gives lower case
		}
		p.items = append(p.items, numItem{kw: up})
	}
	if p.eeee {
		alone := !p.fill
		for _, it := range p.items {
			switch it.kw {
			case "", "9", "0", ".", "EEEE":
			default:
				alone = false
			}
		}
		if !alone {
			return nil, sqlerr.New(sqlerr.SyntaxError, `"EEEE" is incompatible with other formats`).
				WithDetail(`"EEEE" may only be used together with digit and decimal point patterns.`)
		}
	}
	// S after every integer digit (and no decimal point) follows the number.
	if p.sign == signLeading && !p.signBeforeDigits() {
		p.sign = signTrailing
	}
	return p, nil
}

func (p *numPicture) hasV() bool {
	for _, it := range p.items {
		if it.kw == "V" {
			return true
		}
	}
	return false
}

// signBeforeDigits reports whether S comes before the last digit position.
func (p *numPicture) signBeforeDigits() bool {
	seenS := false
	for _, it := range p.items {
		switch it.kw {
		case "S":
			seenS = true
		case "9", "0":
			if seenS {
				return true
			}
		}
	}
	return false
}

// digits returns |v| * 10^multi rounded to post fraction digits as
// "int.frac" (no point when post is 0), whether it is negative, and the
// fraction digits it has: a float's are cut to its precision.
func (p *numPicture) digits(v types.Value, t types.T) (string, bool, int) {
	post := p.post
	if t.ID == types.Float4 || t.ID == types.Float8 {
		// a float has only so many significant digits, as printf shows them
		f := v.F * math.Pow10(p.multi)
		sig := 15
		if t.ID == types.Float4 {
			sig = 6
		}
		whole := len(strconv.FormatFloat(math.Abs(f), 'f', 0, 64))
		switch {
		case whole >= sig:
			post = 0
		case whole+post > sig:
			post = sig - whole
		}
		s := strconv.FormatFloat(f, 'f', post, 64)
		return strings.TrimPrefix(s, "-"), strings.HasPrefix(s, "-"), post
	}
	d := new(apd.Decimal).Set(v.ToDecimal())
	d.Exponent += int32(p.multi)
	ctx := apd.BaseContext.WithPrecision(uint32(max(int64(d.NumDigits())+int64(d.Exponent)+int64(post)+2, 1)))
	ctx.Rounding = apd.RoundHalfUp
	var r apd.Decimal
	_, _ = ctx.Quantize(&r, d, -int32(post))
	neg := r.Negative && !r.IsZero()
	r.Negative = false
	return r.Text('f'), neg, post
}

func (p *numPicture) format(v types.Value, t types.T) string {
	if (t.ID == types.Float4 || t.ID == types.Float8) && (math.IsNaN(v.F) || math.IsInf(v.F, 0)) {
		return p.formatNonFinite(math.IsInf(v.F, -1))
	}
	if p.roman {
		return p.formatRoman(v, t)
	}
	if p.eeee {
		return p.formatEEEE(v, t)
	}
	num, neg, post := p.digits(v, t)
	pre := p.pre + p.multi
	intLen := strings.IndexByte(num, '.')
	if intLen < 0 {
		intLen = len(num)
	}
	if intLen > pre {
		return p.write(overflowDigits(pre, post), neg, 0, post, true)
	}
	return p.write(num, neg, pre-intLen, post, false)
}

func overflowDigits(pre, post int) string {
	return strings.Repeat("#", pre) + "." + strings.Repeat("#", post)
}

// formatNonFinite shows NaN and the infinities as an overflow, as
// PostgreSQL does for most formats.
func (p *numPicture) formatNonFinite(neg bool) string {
	switch {
	case p.roman:
		return strings.Repeat("#", 15)
	case p.eeee: // no sign, and the exponent's places as digits
		return " " + overflowDigits(p.pre, p.post+4)
	}
	return p.write(overflowDigits(p.pre+p.multi, p.post), neg, 0, p.post, true)
}

// write renders num, the digits (int.frac) of a number's absolute value,
// outPreSpaces being the integer positions left of its first digit and
// post the fraction digits it has.
func (p *numPicture) write(num string, neg bool, outPreSpaces, post int, overflow bool) string {
	w := numWriter{p: p, num: num, neg: neg, outPreSpaces: outPreSpaces, lastRelevant: -1, overflow: overflow}
	// a trailing sign follows the number's last digit, which for a float
	// cut to its precision comes before the picture's last digit position
	w.lastPos = p.pre + p.multi + post + boolIndex(p.point) - 1
	w.bracket = p.bracket && !(p.fill && !neg)
	// The sign floats before the first digit unless MI or SG give it a
	// place (PL places only the plus) or fill mode drops a plus.
	switch {
	case p.plus && !p.minus:
	case p.minus:
		w.signDone = true
	default:
		w.signDone = p.fill && !neg && p.sign == signNone
	}
	if p.fill && p.post > 0 {
		w.findLastRelevant()
	}
	return w.render()
}

// numWriter renders a number into a picture, position by position.
type numWriter struct {
	p            *numPicture
	num          string // "int.frac" digits, or # on overflow
	neg          bool
	overflow     bool
	bracket      bool
	outPreSpaces int // integer positions left of the number's first digit
	lastPos      int // the position of the number's last digit
	// lastRelevant is, in fill mode, the index in num of the last fraction
	// digit to show: later 9 positions drop their zeros.
	lastRelevant int
	b            strings.Builder
	pos          int  // digit positions (and the point) done
	at           int  // index in num of the next character
	signDone     bool // the floating sign is written (or needs no place)
	digitsSeen   bool // a digit (not a blank) has been written
	// ended is set when a position finds num used up: PostgreSQL's output
	// ends there, so a point with no fraction digits after it (999.) and
	// whatever follows it are not shown.
	ended bool
}

func (w *numWriter) findLastRelevant() {
	p := w.p
	dot := strings.IndexByte(w.num, '.')
	if dot < 0 {
		return
	}
	w.lastRelevant = dot
	for i := len(w.num) - 1; i > dot; i-- {
		if w.num[i] != '0' {
			w.lastRelevant = i
			break
		}
	}
	// the 0 positions keep their zeros
	if p.zeroEnd > w.outPreSpaces {
		if last := min(len(w.num)-1, p.zeroEnd-w.outPreSpaces); w.lastRelevant < last {
			w.lastRelevant = last
		}
	}
}

func (w *numWriter) render() string {
	p := w.p
	for _, it := range p.items {
		if w.ended {
			break
		}
		switch it.kw {
		case "":
			w.b.WriteString(it.text)
		case "9", "0", ".":
			w.digit(it.kw)
		case ",", "G":
			switch {
			case w.digitsSeen:
				w.b.WriteByte(',')
			case !p.fill:
				w.b.WriteByte(' ')
			}
		case "L":
			w.b.WriteByte('$')
		case "MI":
			switch {
			case w.neg:
				w.b.WriteByte('-')
			case !p.fill:
				w.b.WriteByte(' ')
			}
		case "PL":
			switch {
			case !w.neg:
				w.b.WriteByte('+')
			case !p.fill:
				w.b.WriteByte(' ')
			}
		case "SG":
			w.b.WriteByte("+-"[boolIndex(w.neg)])
		case "TH", "th":
			if !w.neg && !w.overflow && !p.point {
				w.b.WriteString(ordinalSuffix(strings.TrimRight(w.num, "."), it.kw == "TH"))
			}
		}
	}
	return w.b.String()
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// digit writes one digit position (9 or 0) or the decimal point: a blank or
// leading zero left of the number, else the number's next character, with
// the floating sign before the first of them that shows.
func (w *numWriter) digit(kw string) {
	p := w.p
	zero := p.zeroStart >= 0
	leadingZero := w.at == 0 && len(w.num) > 0 && w.num[0] == '0' && p.post != 0 && !zero
	pointOnly := w.lastRelevant >= 0 && w.num[w.lastRelevant] == '.'
	if !w.signDone && (w.pos >= w.outPreSpaces || zero && p.zeroStart == w.pos) && (!leadingZero || pointOnly) {
		w.writeSign()
	}
	switch {
	case w.pos < w.outPreSpaces && (!zero || p.zeroStart > w.pos):
		if !p.fill {
			w.b.WriteByte(' ')
		}
	case zero && w.pos < w.outPreSpaces:
		w.b.WriteByte('0')
		w.digitsSeen = true
	default:
		if w.at >= len(w.num) {
			w.ended = true
			return
		}
		c := w.num[w.at]
		switch {
		case c == '.':
			w.b.WriteByte('.')
		case w.lastRelevant >= 0 && w.at > w.lastRelevant && kw != "0":
			// fill mode drops the fraction's trailing zeros
		case leadingZero:
			// 0.5 in 9.99 shows as .50; in fill mode as 0. when nothing follows
			if !p.fill {
				w.b.WriteByte(' ')
			} else if pointOnly {
				w.b.WriteByte('0')
			}
		default:
			w.b.WriteByte(c)
			w.digitsSeen = true
		}
		w.at++
	}
	if w.pos == w.lastPos {
		switch {
		case w.signDone && w.bracket:
			w.b.WriteByte(" >"[boolIndex(w.neg)])
		case p.sign == signTrailing:
			w.b.WriteByte("+-"[boolIndex(w.neg)])
		}
	}
	w.pos++
}

func (w *numWriter) writeSign() {
	p := w.p
	w.signDone = true
	switch {
	case p.sign == signLeading:
		w.b.WriteByte("+-"[boolIndex(w.neg)])
	case p.sign == signTrailing:
	case w.bracket:
		w.b.WriteByte(" <"[boolIndex(w.neg)])
	case w.neg:
		w.b.WriteByte('-')
	case !p.fill:
		w.b.WriteByte(' ')
	}
}

// formatRoman writes the value rounded to an integer in roman numerals,
// right-aligned in 15 characters; 1 to 3999 can be written.
func (p *numPicture) formatRoman(v types.Value, t types.T) string {
	q := *p
	q.post, q.multi = 0, 0
	num, neg, _ := q.digits(v, t)
	n, err := strconv.Atoi(num)
	var b strings.Builder
	for _, it := range p.items {
		switch it.kw {
		case "":
			b.WriteString(it.text)
		case "RN":
			if err != nil || neg || n < 1 || n > 3999 {
				b.WriteString(strings.Repeat("#", 15))
				continue
			}
			r := romanNumeral(n)
			if p.lowerRoman {
				r = strings.ToLower(r)
			}
			if !p.fill {
				r = strings.Repeat(" ", 15-len(r)) + r
			}
			b.WriteString(r)
		}
	}
	return b.String()
}

func romanNumeral(n int) string {
	values := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	symbols := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range values {
		for n >= v {
			b.WriteString(symbols[i])
			n -= v
		}
	}
	return b.String()
}

// formatEEEE writes the value in scientific notation with post fraction
// digits: a sign place, the mantissa and e+NN.
func (p *numPicture) formatEEEE(v types.Value, t types.T) string {
	var mant string
	var exp int
	var neg bool
	if t.ID == types.Float4 || t.ID == types.Float8 {
		s := strconv.FormatFloat(v.F, 'e', p.post, 64)
		neg = strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		i := strings.IndexByte(s, 'e')
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	} else {
		d := v.ToDecimal()
		neg = d.Negative && !d.IsZero()
		var a apd.Decimal
		a.Abs(d)
		// the exponent is the unrounded value's, so 9.995 can show as 10.00e+00
		if !a.IsZero() {
			exp = int(a.NumDigits()) + int(a.Exponent) - 1
			a.Exponent -= int32(exp)
		}
		ctx := apd.BaseContext.WithPrecision(uint32(p.post + 3))
		ctx.Rounding = apd.RoundHalfUp
		var r apd.Decimal
		_, _ = ctx.Quantize(&r, &a, -int32(p.post))
		mant = r.Text('f')
	}
	e := strconv.Itoa(absInt(exp))
	if len(e) < 2 {
		e = "0" + e
	}
	sign := "+"
	if exp < 0 {
		sign = "-"
	}
	var b strings.Builder
	for _, it := range p.items {
		switch it.kw {
		case "":
			b.WriteString(it.text)
		case "EEEE":
			switch {
			case neg:
				b.WriteByte('-')
			case !p.fill:
				b.WriteByte(' ')
			}
			b.WriteString(mant + "e" + sign + e)
		}
	}
	return b.String()
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
