package exec

import (
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"

	"rustydb/plan"
	"rustydb/types"
)

// TestParquetConverter reads values of the Parquet types RustyDB does not
// write itself (other writers do: Spark's INT96, nanosecond timestamps,
// unsigned integers, wide decimals) into their SQL types.
func TestParquetConverter(t *testing.T) {
	int96 := deprecated.Int96{1_500_000, 0, 2440588} // 1.5 ms into 1970-01-01
	for _, tc := range []struct {
		name  string
		typ   parquet.Type
		v     parquet.Value
		sql   string // the column's SQL type
		value string // the value's text
	}{
		{"int8", parquet.Int(8).Type(), parquet.Int32Value(-128), "smallint", "-128"},
		{"uint32", parquet.Uint(32).Type(), parquet.Int32Value(-1), "bigint", "4294967295"},
		{"uint64", parquet.Uint(64).Type(), parquet.Int64Value(-1), "numeric", "18446744073709551615"},
		{"timestamp ns", parquet.Timestamp(parquet.Nanosecond).Type(), parquet.Int64Value(-1), "timestamp with time zone", "1969-12-31 23:59:59.999999+00"},
		{"timestamp ms", parquet.TimestampAdjusted(parquet.Millisecond, false).Type(), parquet.Int64Value(1500), "timestamp without time zone", "1970-01-01 00:00:01.5"},
		{"int96", parquet.Int96Type, parquet.Int96Value(int96), "timestamp without time zone", "1970-01-01 00:00:00.0015"},
		{"time ms", parquet.Time(parquet.Millisecond).Type(), parquet.Int32Value(1500), "time without time zone", "00:00:01.5"},
		{"time ns", parquet.TimeAdjusted(parquet.Nanosecond, false).Type(), parquet.Int64Value(86_399_999_999_999), "time without time zone", "23:59:59.999999"},
		{"decimal int32", parquet.Decimal(2, 9, parquet.Int32Type).Type(), parquet.Int32Value(-12345), "numeric(9,2)", "-123.45"},
		{"decimal fixed negative", parquet.Decimal(2, 20, parquet.FixedLenByteArrayType(9)).Type(),
			parquet.FixedLenByteArrayValue([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xcf, 0xc7}), "numeric(20,2)", "-123.45"},
		{"decimal bytes", parquet.Decimal(0, 30, parquet.ByteArrayType).Type(), parquet.ByteArrayValue([]byte{0x01, 0x00}), "numeric(30,0)", "256"},
		{"enum", parquet.Enum().Type(), parquet.ByteArrayValue([]byte("red")), "text", "red"},
		{"json", parquet.JSON().Type(), parquet.ByteArrayValue([]byte(`{"a":1}`)), "text", `{"a":1}`},
		{"uuid", parquet.UUID().Type(), parquet.FixedLenByteArrayValue(make([]byte, 16)), "uuid", "00000000-0000-0000-0000-000000000000"},
		{"plain bytes", parquet.ByteArrayType, parquet.ByteArrayValue([]byte{0xde, 0xad}), "bytea", `\xdead`},
		{"float", parquet.FloatType, parquet.FloatValue(0.5), "real", "0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := plan.ParquetType(tc.typ)
			if err != nil || st.String() != tc.sql {
				t.Fatalf("SQL type %v %v, want %s", st, err, tc.sql)
			}
			if got := types.Format(parquetConverter(tc.typ)(tc.v)); got != tc.value {
				t.Errorf("value %q, want %q", got, tc.value)
			}
		})
	}
}
