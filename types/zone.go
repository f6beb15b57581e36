package types

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names work without the host's zoneinfo, as PostgreSQL ships its own

	"rustydb/sqlerr"
)

// TIMESTAMP WITH TIME ZONE is an instant: I holds microseconds since
// 1970-01-01 00:00:00 UTC. The session's TimeZone (a *time.Location; nil
// means UTC) decides how it prints and how a time without an offset, a
// timestamp or a date converts to it. TIME is a time of day: I holds
// microseconds since midnight, 0 to 24:00:00 inclusive.

// NewTimestampTZ returns a timestamp with time zone value.
func NewTimestampTZ(us int64) Value { return Value{K: KTimestampTZ, I: us} }

// NewTime returns a time of day value.
func NewTime(us int64) Value { return Value{K: KTime, I: us} }

// ZoneOffset returns loc's offset from UTC in seconds at the instant us.
func ZoneOffset(us int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return 0
	}
	_, off := time.Unix(floorDiv(us, 1_000_000), 0).In(loc).Zone()
	return int64(off)
}

// ToLocal returns the wall-clock time in loc of the instant us, as
// microseconds since 1970-01-01 00:00:00 of that wall clock.
func ToLocal(us int64, loc *time.Location) int64 {
	return us + ZoneOffset(us, loc)*1_000_000
}

// FromLocal returns the instant at which loc's wall clock shows local. A
// time skipped by a jump forward takes the offset from before the jump, an
// ambiguous one the offset from after a jump back, as in PostgreSQL.
func FromLocal(local int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return local
	}
	const day = usPerDay
	before := ZoneOffset(local-day, loc) * 1_000_000
	after := ZoneOffset(local+day, loc) * 1_000_000
	if before == after {
		u := local - before
		if ZoneOffset(u, loc)*1_000_000 == before {
			return u
		}
		// another transition near by: settle on the offset at the guess
		return local - ZoneOffset(u, loc)*1_000_000
	}
	ua, ub := local-before, local-after
	okA := ZoneOffset(ua, loc)*1_000_000 == before
	okB := ZoneOffset(ub, loc)*1_000_000 == after
	switch {
	case okB: // after the transition, or ambiguous: the later offset
		return ub
	case okA:
		return ua
	}
	return ua // in the gap: the offset from before the jump
}

// appendTimestampTZ prints PostgreSQL's ISO output of a timestamp with time
// zone in loc: 2024-01-02 03:04:05.5+00, -08, +05:30, or -04:56:02 before
// standard time; BC after the offset.
func appendTimestampTZ(buf []byte, us int64, loc *time.Location) []byte {
	off := ZoneOffset(us, loc)
	buf = appendTimestamp(buf, us+off*1_000_000)
	bc := len(buf) >= 3 && string(buf[len(buf)-3:]) == " BC"
	if bc {
		buf = buf[:len(buf)-3]
	}
	buf = appendOffset(buf, off)
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendOffset appends a UTC offset in seconds as +hh[:mm[:ss]].
func appendOffset(buf []byte, off int64) []byte {
	if off < 0 {
		buf = append(buf, '-')
		off = -off
	} else {
		buf = append(buf, '+')
	}
	buf = appendPadded(buf, int(off/3600), 2)
	if off%3600 != 0 {
		buf = append(buf, ':')
		buf = appendPadded(buf, int(off/60%60), 2)
		if off%60 != 0 {
			buf = append(buf, ':')
			buf = appendPadded(buf, int(off%60), 2)
		}
	}
	return buf
}

// appendTime prints a time of day: 13:45:06, 13:45:06.123.
func appendTime(buf []byte, us int64) []byte {
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
	return buf
}

// AppendTextIn is AppendText with loc as the session time zone, in which a
// timestamp with time zone prints.
func AppendTextIn(buf []byte, v Value, t T, loc *time.Location) []byte {
	if v.K == KTimestampTZ {
		return appendTimestampTZ(buf, v.I, loc)
	}
	return AppendText(buf, v, t)
}

// FormatIn is Format with loc as the session time zone.
func FormatIn(v Value, loc *time.Location) string {
	return string(AppendTextIn(nil, v, TUnknown, loc))
}

// ParseTimestampTZ reads timestamp with time zone input: a timestamp as
// ParseTimestamp reads it, optionally followed by a zone (Z, +05, -08:00,
// +0530, UTC, PST, America/New_York). Without one the time is loc's wall
// clock.
func ParseTimestampTZ(s string, loc *time.Location) (Value, error) {
	const typeName = "timestamp with time zone"
	str := strings.TrimSpace(s)
	if strings.EqualFold(str, "epoch") {
		return NewTimestampTZ(0), nil
	}
	bc := false
	if n := len(str); n > 3 && strings.EqualFold(str[n-3:], " BC") {
		str, bc = strings.TrimSpace(str[:n-3]), true
	}
	str, zone := splitZone(str)
	if bc {
		str += " BC"
	}
	days, tod, err := parseDateTime(str)
	if err != nil {
		return Null, dateError(err, typeName, s)
	}
	if days < minDate || days > maxTimestampDay {
		return Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	local := days*usPerDay + tod
	var us int64
	if zone == "" {
		us = FromLocal(local, loc)
	} else {
		off, zl, err := inputZone(zone, s)
		if err != nil {
			return Null, err
		}
		if zl != nil {
			us = FromLocal(local, zl)
		} else {
			us = local - off*1_000_000
		}
	}
	if d := floorDiv(us, usPerDay); d < minDate || d > maxTimestampDay {
		return Null, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return NewTimestampTZ(us), nil
}

// splitZone separates a trailing time zone from a date and time: a word
// after a space (UTC, America/New_York), Z right after the time, or a
// numeric offset after the time (+05, -08:00, +0530).
func splitZone(str string) (rest, zone string) {
	if i := strings.LastIndexAny(str, " \t"); i > 0 {
		if w := str[i+1:]; w != "" && isLetter(w[0]) {
			return strings.TrimSpace(str[:i]), w
		}
	}
	colon := strings.IndexByte(str, ':')
	if colon < 0 {
		return str, ""
	}
	if n := len(str); n > 0 && (str[n-1] == 'Z' || str[n-1] == 'z') && n >= 2 && str[n-2] >= '0' && str[n-2] <= '9' {
		return str[:n-1], "Z"
	}
	i := strings.LastIndexAny(str, "+-")
	if i <= colon || strings.Trim(str[i+1:], "0123456789:") != "" || len(str[i+1:]) == 0 {
		return str, ""
	}
	return strings.TrimSpace(str[:i]), str[i:]
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// zoneAbbrevs are the time zone abbreviations accepted in input, with their
// offsets in seconds (a subset of PostgreSQL's Default set).
var zoneAbbrevs = map[string]int64{
	"z": 0, "zulu": 0, "utc": 0, "ut": 0, "gmt": 0, "wet": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"bst": 3600, "cet": 3600, "cest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"west": 3600, "msk": 3 * 3600, "ist": 2 * 3600, "jst": 9 * 3600, "kst": 9 * 3600,
	"aest": 10 * 3600, "aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600,
}

// inputZone resolves a zone written in a timestamp: a fixed offset in
// seconds east of UTC, or a location whose rules apply.
func inputZone(zone, input string) (int64, *time.Location, error) {
	if zone[0] == '+' || zone[0] == '-' {
		off, ok := parseOffset(zone[1:])
		if !ok {
			return 0, nil, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type timestamp with time zone: \"%s\"", input)
		}
		if off >= 16*3600 {
			return 0, nil, sqlerr.New("22009", "time zone displacement out of range: \"%s\"", input)
		}
		if zone[0] == '-' {
			off = -off
		}
		return off, nil, nil
	}
	if off, ok := zoneAbbrevs[strings.ToLower(zone)]; ok {
		return off, nil, nil
	}
	if loc, ok := loadLocation(zone); ok {
		return 0, loc, nil
	}
	return 0, nil, sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", strings.ToLower(zone))
}

// parseOffset reads an unsigned UTC offset: hh, hhmm, hhmmss, or with
// colons hh:mm[:ss]. It returns seconds.
func parseOffset(s string) (int64, bool) {
	var parts []string
	if strings.Contains(s, ":") {
		parts = strings.Split(s, ":")
	} else {
		switch len(s) {
		case 1, 2:
			parts = []string{s}
		case 4:
			parts = []string{s[:2], s[2:]}
		case 6:
			parts = []string{s[:2], s[2:4], s[4:]}
		default:
			return 0, false
		}
	}
	if len(parts) > 3 {
		return 0, false
	}
	var secs int64
	mult := []int64{3600, 60, 1}
	for i, p := range parts {
		n, ok := atoiDigits(p)
		if !ok || len(p) > 2 || i > 0 && n > 59 {
			return 0, false
		}
		secs += int64(n) * mult[i]
	}
	return secs, true
}

// loadLocation finds an IANA zone by name, ignoring case as PostgreSQL does
// (america/new_york is America/New_York).
func loadLocation(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "local") || strings.Contains(name, "..") {
		return nil, false
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc, true
	}
	// capitalize each word: america/new_york -> America/New_York
	b := []byte(strings.ToLower(name))
	for i := range b {
		if (i == 0 || b[i-1] == '/' || b[i-1] == '_' || b[i-1] == '-') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	if loc, err := time.LoadLocation(string(b)); err == nil {
		return loc, true
	}
	if loc, err := time.LoadLocation(strings.ToUpper(name)); err == nil { // EST5EDT, UTC
		return loc, true
	}
	return nil, false
}

// LoadZone resolves a TimeZone setting as PostgreSQL's SET TIME ZONE does:
// a number is hours east of UTC (-8, 5.5); a POSIX-style name with an
// offset (UTC+3, EST5) counts hours west; anything else is an IANA zone
// name (UTC, Europe/Berlin, America/New_York).
func LoadZone(name string) (*time.Location, error) {
	bad := sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", name)
	s := strings.TrimSpace(name)
	if h, err := strconv.ParseFloat(s, 64); err == nil {
		if h <= -16 || h >= 16 {
			return nil, bad
		}
		return time.FixedZone(s, int(h*3600)), nil
	}
	switch strings.ToLower(s) {
	case "utc", "gmt", "z", "zulu", "universal", "etc/utc":
		return time.UTC, nil
	}
	if loc, ok := loadLocation(s); ok {
		return loc, nil
	}
	// POSIX: letters, then a signed offset west of UTC
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	if i >= 3 && i < len(s) {
		rest := s[i:]
		sign := int64(1)
		switch rest[0] {
		case '+':
			rest = rest[1:]
		case '-':
			rest, sign = rest[1:], -1
		}
		if off, ok := parseOffset(rest); ok && rest != "" && off < 16*3600 {
			return time.FixedZone(s, int(-sign*off)), nil
		}
	}
	return nil, bad
}

// ParseTime reads time input: hh:mm[:ss[.ffffff]], optionally after a date
// and before AM/PM or a zone (both dates and zones are ignored, as for time
// without time zone in PostgreSQL), or allballs.
func ParseTime(s string) (Value, error) {
	bad := func(err error) (Value, error) { return Null, dateError(err, "time without time zone", s) }
	str := strings.TrimSpace(s)
	if strings.EqualFold(str, "allballs") {
		return NewTime(0), nil
	}
	// a leading date: 2024-01-02 13:45 or 2024-01-02T13:45
	if i := strings.IndexAny(str, " T"); i > 0 && strings.Count(str[:i], "-") == 2 && !strings.Contains(str[:i], ":") {
		if _, err := parseISODate(str[:i], false); err != nil {
			return bad(err)
		}
		str = strings.TrimSpace(str[i+1:])
	}
	pm, am := false, false
	if n := len(str); n > 2 {
		switch strings.ToLower(str[n-2:]) {
		case "am":
			am, str = true, strings.TrimSpace(str[:n-2])
		case "pm":
			pm, str = true, strings.TrimSpace(str[:n-2])
		}
	}
	if rest, zone := splitZone(str); zone != "" {
		if _, _, err := inputZone(zone, s); err != nil {
			return Null, err
		}
		str = rest
	}
	us, err := parseTimeOfDay(str)
	if err != nil {
		return bad(err)
	}
	if am || pm {
		if h := us / 3600_000_000; h > 12 {
			return bad(errDateRange)
		}
		if us/3600_000_000 == 12 {
			us -= 12 * 3600_000_000
		}
		if pm {
			us += 12 * 3600_000_000
		}
	}
	return NewTime(us), nil
}

// castTZ converts to and from the types whose values depend on a time zone
// and the types added with them (uuid, bytea, time), or reports false when
// convert handles the pair.
func castTZ(v Value, t T, assign bool, loc *time.Location) (Value, bool, error) {
	switch t.ID {
	case UUID:
		switch v.K {
		case KUUID:
			return v, true, nil
		case KText:
			r, err := ParseUUID(v.S)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	case Bytea:
		switch v.K {
		case KBytes:
			return v, true, nil
		case KText:
			r, err := ParseBytea(v.S)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	case TimestampTZ:
		switch v.K {
		case KTimestampTZ:
			return v, true, nil
		case KTimestamp:
			return NewTimestampTZ(FromLocal(v.I, loc)), true, nil
		case KDate:
			return NewTimestampTZ(FromLocal(v.I*usPerDay, loc)), true, nil
		case KText:
			r, err := ParseTimestampTZ(v.S, loc)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	case Time:
		switch v.K {
		case KTime:
			return v, true, nil
		case KTimestamp:
			return NewTime(v.I - floorDiv(v.I, usPerDay)*usPerDay), true, nil
		case KTimestampTZ:
			l := ToLocal(v.I, loc)
			return NewTime(l - floorDiv(l, usPerDay)*usPerDay), true, nil
		case KInterval: // the time part modulo a day, as interval_time does
			us := v.I % usPerDay
			if us < 0 {
				us += usPerDay
			}
			return NewTime(us), true, nil
		case KText:
			r, err := ParseTime(v.S)
			return r, true, err
		}
		return Null, true, cannotCast(v, t)
	case Text, Varchar, Char:
		switch v.K {
		case KUUID, KBytes, KTimestampTZ, KTime:
			r, err := fitString(string(AppendTextIn(nil, v, t, loc)), t, assign)
			return r, true, err
		}
	case Date:
		if v.K == KTimestampTZ {
			return NewDate(floorDiv(ToLocal(v.I, loc), usPerDay)), true, nil
		}
	case Timestamp:
		if v.K == KTimestampTZ {
			return NewTimestamp(ToLocal(v.I, loc)), true, nil
		}
	case Interval:
		if v.K == KTime {
			return NewInterval(0, 0, v.I), true, nil
		}
	}
	switch v.K {
	case KUUID, KBytes, KTimestampTZ, KTime:
		if t.ID != Unknown {
			return Null, true, cannotCast(v, t)
		}
	}
	return Null, false, nil
}

// CastIn is Cast with loc as the session time zone, for conversions between
// timestamp with time zone and text, timestamp, date and time.
func CastIn(v Value, t T, loc *time.Location) (Value, error) {
	if Fits(v, t) {
		return v, nil
	}
	return convertIn(v, t, false, loc)
}

// Fits reports whether v is a value of type t as it is, so that any
// conversion to t returns it unchanged. It inlines, so a caller can skip
// the conversion's call and its copies of v.
func Fits(v Value, t T) bool { return v.K == KNull || alreadyOf(v, t) }

// alreadyOf reports whether v is a value of type t as it is, so that a
// conversion would return it unchanged: the common case of a prepared
// statement's parameter, converted once per execution.
func alreadyOf(v Value, t T) bool {
	switch t.ID {
	case Int8:
		return v.K == KInt
	case Int4:
		return v.K == KInt && v.I == int64(int32(v.I))
	case Float8:
		return v.K == KFloat
	case Text:
		return v.K == KText
	case Bool:
		return v.K == KBool
	}
	return false
}

// AssignIn is Assign with loc as the session time zone.
func AssignIn(v Value, t T, loc *time.Location) (Value, error) { return convertIn(v, t, true, loc) }

func convertIn(v Value, t T, assign bool, loc *time.Location) (Value, error) {
	if v.K == KNull || alreadyOf(v, t) {
		return v, nil
	}
	if r, ok, err := castJSON(v, t, assign); ok {
		return r, err
	}
	if r, ok, err := castTZ(v, t, assign, loc); ok {
		return r, err
	}
	return convert(v, t, assign)
}
