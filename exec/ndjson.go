package exec

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/minio/simdjson-go"
)

// Newline-delimited JSON (one object per line), as COPY ... (FORMAT json)
// and read_json read it. A line is decoded with simdjson-go where the CPU
// has the instructions it needs (AVX2 and CLMUL) and with encoding/json
// otherwise; both give the object's members in order, each value as the
// text a column of any type converts from: a string's contents, a number
// or boolean as written, a nested object or array as its JSON text, and
// nil for null.

// JSONMember is one key and value of a JSON object; Val is nil for null.
type JSONMember struct {
	Key string
	Val *string
}

// JSONDecoder decodes the lines of an NDJSON file, reusing its buffers.
type JSONDecoder struct {
	simd bool
	pj   *simdjson.ParsedJson
	obj  simdjson.Object
	elem simdjson.Iter
	out  []JSONMember
}

// NewJSONDecoder returns a decoder that uses simdjson-go if the CPU
// supports it.
func NewJSONDecoder() *JSONDecoder { return &JSONDecoder{simd: simdjson.SupportedCPU()} }

// errNotObject is the error for a line that is valid JSON but no object.
var errNotObject = errors.New("a line must hold one JSON object")

// Decode returns the members of the object on line; the slice is valid
// until the next call.
func (d *JSONDecoder) Decode(line []byte) ([]JSONMember, error) {
	d.out = d.out[:0]
	if d.simd {
		return d.decodeSIMD(line)
	}
	return d.decodeStd(line)
}

func (d *JSONDecoder) decodeSIMD(line []byte) ([]JSONMember, error) {
	pj, err := simdjson.Parse(line, d.pj, simdjson.WithCopyStrings(true))
	if err != nil {
		return nil, err
	}
	d.pj = pj
	it := pj.Iter()
	it.Advance()
	typ, root, err := it.Root(nil)
	if err != nil {
		return nil, err
	}
	if typ != simdjson.TypeObject {
		return nil, errNotObject
	}
	obj, err := root.Object(&d.obj)
	if err != nil {
		return nil, err
	}
	for {
		name, typ, err := obj.NextElementBytes(&d.elem)
		if err != nil {
			return nil, err
		}
		if typ == simdjson.TypeNone {
			return d.out, nil
		}
		var text string
		switch typ {
		case simdjson.TypeNull:
			d.out = append(d.out, JSONMember{Key: string(name)})
			continue
		case simdjson.TypeString:
			text, err = d.elem.String()
		case simdjson.TypeInt:
			var i int64
			i, err = d.elem.Int()
			text = strconv.FormatInt(i, 10)
		case simdjson.TypeUint:
			var u uint64
			u, err = d.elem.Uint()
			text = strconv.FormatUint(u, 10)
		case simdjson.TypeFloat:
			var f float64
			f, err = d.elem.Float()
			text = strconv.FormatFloat(f, 'g', -1, 64)
		case simdjson.TypeBool:
			var b bool
			b, err = d.elem.Bool()
			text = strconv.FormatBool(b)
		default: // object or array
			var raw []byte
			raw, err = d.elem.MarshalJSON()
			text = string(raw)
		}
		if err != nil {
			return nil, err
		}
		d.out = append(d.out, JSONMember{Key: string(name), Val: &text})
	}
}

func (d *JSONDecoder) decodeStd(line []byte) ([]JSONMember, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, errNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // object keys are strings
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		m := JSONMember{Key: key}
		switch {
		case string(raw) == "null":
		case raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			m.Val = &s
		case raw[0] == '{' || raw[0] == '[':
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				return nil, err
			}
			s := b.String() // compact, as simdjson-go writes it
			m.Val = &s
		default:
			s := string(raw)
			m.Val = &s
		}
		d.out = append(d.out, m)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("a line must hold one JSON object and nothing after it")
	}
	return d.out, nil
}
