package types

import (
	"testing"
	"time"

	"rustydb/sqlerr"
)

// TestNewTypesTextRoundTrip parses text input of uuid, bytea, timestamp with
// time zone and time, prints the value, and parses the output again: the
// output is PostgreSQL 15's and reads back as the same value.
func TestNewTypesTextRoundTrip(t *testing.T) {
	ny, err := LoadZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	kolkata, err := LoadZone("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	f := func(typ T, loc *time.Location, in, want string) {
		t.Helper()
		v, err := CastIn(NewText(in), typ, loc)
		if err != nil {
			t.Errorf("%s %q: %v", typ, in, err)
			return
		}
		got := string(AppendTextIn(nil, v, typ, loc))
		if got != want {
			t.Errorf("%s %q (in %v) prints %q, want %q", typ, in, loc, got, want)
		}
		again, err := CastIn(NewText(got), typ, loc)
		if err != nil || Compare(again, v) != 0 {
			t.Errorf("%s: output %q reads back as %v (%v), want %v", typ, got, again, err, v)
		}
	}
	const u = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
	f(TUUID, nil, u, u)
	f(TUUID, nil, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", u)
	f(TUUID, nil, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", u)
	f(TUUID, nil, "a0eebc999c0b4ef8bb6d6bb9bd380a11", u)
	f(TUUID, nil, "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", u)
	f(TUUID, nil, "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", u)

	f(TBytea, nil, `\x0102ff`, `\x0102ff`)
	f(TBytea, nil, `\xDEADbeef`, `\xdeadbeef`)
	f(TBytea, nil, `\x de ad `, `\xdead`)
	f(TBytea, nil, `\x`, `\x`)
	f(TBytea, nil, "", `\x`)
	f(TBytea, nil, "abc", `\x616263`)
	f(TBytea, nil, `a\\b\000\377`, `\x615c6200ff`)

	f(TTimestampTZ, nil, "2024-01-02 03:04:05", "2024-01-02 03:04:05+00")
	f(TTimestampTZ, nil, "2024-01-02 03:04:05+02", "2024-01-02 01:04:05+00")
	f(TTimestampTZ, nil, "2024-01-02T03:04:05.250Z", "2024-01-02 03:04:05.25+00")
	f(TTimestampTZ, nil, "2024-01-02 03:04:05 -08:00", "2024-01-02 11:04:05+00")
	f(TTimestampTZ, nil, "2024-01-02 03:04:05+0530", "2024-01-01 21:34:05+00")
	f(TTimestampTZ, nil, "2024-01-02 03:04:05 PST", "2024-01-02 11:04:05+00")
	f(TTimestampTZ, nil, "2024-07-01 12:00 America/New_York", "2024-07-01 16:00:00+00")
	f(TTimestampTZ, nil, "2024-01-02", "2024-01-02 00:00:00+00")
	f(TTimestampTZ, nil, "epoch", "1970-01-01 00:00:00+00")
	f(TTimestampTZ, nil, "0044-03-15 12:00:00 BC", "0044-03-15 12:00:00+00 BC")
	f(TTimestampTZ, ny, "2024-01-02 03:04:05", "2024-01-02 03:04:05-05")
	f(TTimestampTZ, ny, "2024-07-02 03:04:05", "2024-07-02 03:04:05-04")
	f(TTimestampTZ, ny, "2024-07-02 03:04:05+00", "2024-07-01 23:04:05-04")
	f(TTimestampTZ, ny, "2024-03-10 02:30", "2024-03-10 03:30:00-04") // in the spring-forward gap
	f(TTimestampTZ, ny, "2024-11-03 01:30", "2024-11-03 01:30:00-05") // ambiguous: the later offset
	f(TTimestampTZ, ny, "1850-01-01 00:00", "1850-01-01 00:00:00-04:56:02")
	f(TTimestampTZ, kolkata, "2024-01-02 03:04:05", "2024-01-02 03:04:05+05:30")

	f(TTime, nil, "13:45:06.123", "13:45:06.123")
	f(TTime, nil, "13:45", "13:45:00")
	f(TTime, nil, "00:00:00", "00:00:00")
	f(TTime, nil, "24:00:00", "24:00:00")
	f(TTime, nil, "allballs", "00:00:00")
	f(TTime, nil, "1:30 PM", "13:30:00")
	f(TTime, nil, "12:05 am", "00:05:00")
	f(TTime, nil, "0:30 AM", "00:30:00")
	f(TTime, nil, "12:30 PM", "12:30:00")
	f(TTime, nil, "2024-01-02 13:45:06", "13:45:06")
	f(TTime, nil, "13:45:06+05", "13:45:06")
	f(TTime, nil, "13:45:06.1234567", "13:45:06.123457")
}

func TestNewTypesBadInput(t *testing.T) {
	f := func(typ T, in, code string) {
		t.Helper()
		v, err := Cast(NewText(in), typ)
		if err == nil {
			t.Errorf("%s %q = %v, want an error", typ, in, v)
			return
		}
		if got := sqlerr.Code(err); got != code {
			t.Errorf("%s %q: SQLSTATE %s (%v), want %s", typ, in, got, err, code)
		}
	}
	f(TUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", sqlerr.InvalidTextRepresentation)
	f(TUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", sqlerr.InvalidTextRepresentation)
	f(TUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", sqlerr.InvalidTextRepresentation)
	f(TUUID, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", sqlerr.InvalidTextRepresentation)
	f(TUUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-", sqlerr.InvalidTextRepresentation)
	f(TUUID, "a0eeb-c999c0b4ef8bb6d6bb9bd380a11", sqlerr.InvalidTextRepresentation)
	f(TUUID, " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", sqlerr.InvalidTextRepresentation)
	f(TUUID, "", sqlerr.InvalidTextRepresentation)
	f(TBytea, `\x123`, sqlerr.InvalidParameterValue)
	f(TBytea, `\xzz`, sqlerr.InvalidParameterValue)
	f(TBytea, `a\b`, sqlerr.InvalidTextRepresentation)
	f(TBytea, `\400`, sqlerr.InvalidTextRepresentation)
	f(TTimestampTZ, "2024-13-01 00:00", sqlerr.DatetimeFieldOverflow)
	f(TTimestampTZ, "yesterday-ish", sqlerr.InvalidDatetimeFormat)
	f(TTimestampTZ, "2024-01-01 00:00 Mars/Olympus", sqlerr.InvalidParameterValue)
	f(TTimestampTZ, "2024-01-01 00:00+16", "22009")
	f(TTime, "25:00", sqlerr.DatetimeFieldOverflow)
	f(TTime, "13:60", sqlerr.DatetimeFieldOverflow)
	f(TTime, "noon", sqlerr.InvalidDatetimeFormat)
	f(TTime, "13 PM", sqlerr.InvalidDatetimeFormat)
	f(TTime, "13:00 PM", sqlerr.DatetimeFieldOverflow)
}

func TestNewTypesCasts(t *testing.T) {
	ny, _ := LoadZone("America/New_York")
	f := func(v Value, typ T, loc *time.Location, want string) {
		t.Helper()
		got, err := CastIn(v, typ, loc)
		if err != nil {
			t.Errorf("%v::%s: %v", v, typ, err)
			return
		}
		if s := string(AppendTextIn(nil, got, typ, loc)); s != want {
			t.Errorf("%v::%s (in %v) = %q, want %q", v, typ, loc, s, want)
		}
	}
	winter := NewTimestamp(ts(2024, 1, 2, 3, 4, 5, 0))
	f(winter, TTimestampTZ, nil, "2024-01-02 03:04:05+00")
	f(winter, TTimestampTZ, ny, "2024-01-02 03:04:05-05")
	tz := NewTimestampTZ(ts(2024, 1, 2, 3, 4, 5, 0)) // 03:04:05 UTC
	f(tz, TTimestamp, nil, "2024-01-02 03:04:05")
	f(tz, TTimestamp, ny, "2024-01-01 22:04:05")
	f(tz, TDate, ny, "2024-01-01")
	f(tz, TTime, ny, "22:04:05")
	f(tz, TText, ny, "2024-01-01 22:04:05-05")
	f(NewDate(days(2024, 1, 2)), TTimestampTZ, ny, "2024-01-02 00:00:00-05")
	f(winter, TTime, nil, "03:04:05")
	f(NewTime(3600_000_000), TInterval, nil, "01:00:00")
	f(NewInterval(1, 2, 25*3600_000_000+1), TTime, nil, "01:00:00.000001")
	f(NewUUID([16]byte{15: 1}), TText, nil, "00000000-0000-0000-0000-000000000001")
	f(NewBytea([]byte{1, 2}), T{ID: Varchar, Width: 3}, nil, `\x0`)

	if _, err := Cast(NewUUID([16]byte{}), TInt4); sqlerr.Code(err) != sqlerr.DatatypeMismatch {
		t.Errorf("uuid::int: %v", err)
	}
	if _, err := Cast(NewInt(1), TUUID); sqlerr.Code(err) != sqlerr.DatatypeMismatch {
		t.Errorf("1::uuid: %v", err)
	}
}

func TestNewTypesCompareAndHash(t *testing.T) {
	ordered := [][]Value{
		{mustCast(t, "00000000-0000-0000-0000-000000000001", TUUID), mustCast(t, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", TUUID), mustCast(t, "ffffffff-0000-0000-0000-000000000000", TUUID)},
		{mustCast(t, `\x`, TBytea), mustCast(t, `\x00`, TBytea), mustCast(t, `\x0001`, TBytea), mustCast(t, `\x01`, TBytea), mustCast(t, `\xff`, TBytea)},
		{mustCast(t, "1999-12-31 22:00-05", TTimestampTZ), mustCast(t, "2000-01-01 05:00+01", TTimestampTZ), mustCast(t, "2000-01-01 04:00:01Z", TTimestampTZ)},
		{mustCast(t, "00:00", TTime), mustCast(t, "00:00:00.000001", TTime), mustCast(t, "23:59:59", TTime), mustCast(t, "24:00", TTime)},
	}
	for _, vals := range ordered {
		for i := range vals {
			for j := range vals {
				want := cmpInt(int64(i), int64(j))
				if got := Compare(vals[i], vals[j]); got != want {
					t.Errorf("Compare(%v, %v) = %d, want %d", vals[i], vals[j], got, want)
				}
				if same := string(vals[i].HashKey(nil)) == string(vals[j].HashKey(nil)); same != (i == j) {
					t.Errorf("HashKey(%v) == HashKey(%v): %v", vals[i], vals[j], same)
				}
			}
		}
	}
	// one instant written in two zones is one value
	a, b := mustCast(t, "2024-01-01 12:00+02", TTimestampTZ), mustCast(t, "2024-01-01 05:00-05", TTimestampTZ)
	if Compare(a, b) != 0 || string(a.HashKey(nil)) != string(b.HashKey(nil)) {
		t.Errorf("%v and %v differ", a, b)
	}
}

func mustCast(t *testing.T, s string, typ T) Value {
	t.Helper()
	v, err := Cast(NewText(s), typ)
	if err != nil {
		t.Fatalf("%q::%s: %v", s, typ, err)
	}
	return v
}

func TestLoadZone(t *testing.T) {
	at := ts(2024, 1, 15, 12, 0, 0, 0)
	f := func(name string, wantOff int64) {
		t.Helper()
		loc, err := LoadZone(name)
		if err != nil {
			t.Errorf("LoadZone(%q): %v", name, err)
			return
		}
		if off := ZoneOffset(at, loc); off != wantOff {
			t.Errorf("LoadZone(%q): offset %d, want %d", name, off, wantOff)
		}
	}
	f("UTC", 0)
	f("utc", 0)
	f("Europe/Berlin", 3600)
	f("europe/berlin", 3600)
	f("America/New_York", -5*3600)
	f("-8", -8*3600)
	f("5.5", 5*3600+1800)
	f("UTC+3", -3*3600) // POSIX: hours west
	f("EST5EDT", -5*3600)
	for _, bad := range []string{"", "Mars/Olympus", "Local", "../etc/passwd", "99"} {
		if _, err := LoadZone(bad); sqlerr.Code(err) != sqlerr.InvalidParameterValue {
			t.Errorf("LoadZone(%q): %v, want 22023", bad, err)
		}
	}
}

func TestEncodingHelpers(t *testing.T) {
	if got := string(AppendEscape(nil, "a\\b\x00\xff\n")); got != `a\\b\000\377`+"\n" {
		t.Errorf("AppendEscape = %q", got)
	}
	b, err := DecodeEscape(`a\\b\000\377`)
	if err != nil || string(b) != "a\\b\x00\xff" {
		t.Errorf("DecodeEscape = %q, %v", b, err)
	}
	if b, err := DecodeHex("0a FF"); err != nil || string(b) != "\x0a\xff" {
		t.Errorf("DecodeHex = %q, %v", b, err)
	}
	u := RandomUUID()
	if len(u.S) != 16 || u.S[6]>>4 != 4 || u.S[8]>>6 != 2 {
		t.Errorf("RandomUUID = %v: not version 4", u)
	}
	if RandomUUID() == u {
		t.Error("RandomUUID repeated itself")
	}
}
