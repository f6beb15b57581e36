package rustydb

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/cockroachdb/apd/v3"

	"rustydb/types"
)

// The Arrow form of SQL values, shared by the REST API's Arrow stream
// results and COPY ... (FORMAT arrow). Column types map as follows:
//
//	boolean                      bool
//	smallint, integer, bigint    int16, int32, int64
//	real, double precision       float32, float64
//	numeric(p,s), p <= 38        decimal128(p, s)
//	numeric without precision    utf8, the PostgreSQL text form (exact)
//	date                         date32 (days since 1970-01-01)
//	timestamp                    timestamp[us]
//	timestamp with time zone     timestamp[us, tz=UTC]
//	time                         time64[us]
//	bytea                        binary
//	anything else                utf8, the PostgreSQL text form
//
// Each field's metadata holds "rustydb.type", the SQL type as PostgreSQL
// names it (numeric(10,2), character varying(20), integer[], ...).

// ArrowType is the Arrow type of a result column of type t.
func ArrowType(t types.T) arrow.DataType {
	switch t.ID {
	case types.Bool:
		return arrow.FixedWidthTypes.Boolean
	case types.Int2:
		return arrow.PrimitiveTypes.Int16
	case types.Int4:
		return arrow.PrimitiveTypes.Int32
	case types.Int8:
		return arrow.PrimitiveTypes.Int64
	case types.Float4:
		return arrow.PrimitiveTypes.Float32
	case types.Float8:
		return arrow.PrimitiveTypes.Float64
	case types.Numeric:
		if t.Precision > 0 && t.Precision <= 38 {
			return &arrow.Decimal128Type{Precision: t.Precision, Scale: t.Scale}
		}
	case types.Date:
		return arrow.FixedWidthTypes.Date32
	case types.Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case types.TimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case types.Time:
		return arrow.FixedWidthTypes.Time64us
	case types.Bytea:
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// ArrowSchema describes cols.
func ArrowSchema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: ArrowType(c.Type), Nullable: true,
			Metadata: arrow.NewMetadata([]string{"rustydb.type"}, []string{c.Type.String()})}
	}
	return arrow.NewSchema(fields, nil)
}

// AppendArrow appends v, a value of type t, to the builder ArrowType(t) made.
func AppendArrow(b array.Builder, v types.Value, t types.T) error {
	if v.IsNull() {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v.Bool())
	case *array.Int16Builder:
		b.Append(int16(v.I))
	case *array.Int32Builder:
		b.Append(int32(v.I))
	case *array.Int64Builder:
		b.Append(v.I)
	case *array.Float32Builder:
		b.Append(float32(v.Float()))
	case *array.Float64Builder:
		b.Append(v.Float())
	case *array.Decimal128Builder:
		n, err := decimal128Of(v.ToDecimal(), t)
		if err != nil {
			return err
		}
		b.Append(n)
	case *array.Date32Builder:
		if v.I < math.MinInt32 || v.I > math.MaxInt32 {
			return fmt.Errorf("date %s does not fit Arrow's date32", types.AppendText(nil, v, t))
		}
		b.Append(arrow.Date32(v.I))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.I))
	case *array.Time64Builder:
		b.Append(arrow.Time64(v.I))
	case *array.BinaryBuilder:
		b.Append([]byte(v.S))
	case *array.StringBuilder:
		b.Append(string(types.AppendTextIn(nil, v, t, time.UTC)))
	default:
		return fmt.Errorf("no Arrow conversion for %T", b)
	}
	return nil
}

// decimal128Of scales d to t's scale and returns its unscaled integer.
func decimal128Of(d *apd.Decimal, t types.T) (decimal128.Num, error) {
	if d.Form != apd.Finite {
		return decimal128.Num{}, fmt.Errorf("%s has no Arrow decimal128 form", d)
	}
	var q apd.Decimal
	ctx := apd.BaseContext.WithPrecision(uint32(t.Precision) + 1)
	if _, err := ctx.Quantize(&q, d, -t.Scale); err != nil {
		return decimal128.Num{}, fmt.Errorf("%s does not fit %s: %v", d, t, err)
	}
	bi := q.Coeff.MathBigInt()
	if q.Negative {
		bi.Neg(bi)
	}
	return decimal128.FromBigInt(bi), nil
}
