package rustydb

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"rustydb/catalog"
	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sql"
	"rustydb/sqlerr"
	"rustydb/types"
)

// COPY's formats beyond text and CSV, and ON_ERROR:
//
//   - FORMAT json is newline-delimited JSON: one object per line, its keys
//     matched to the column names (a missing key takes the column's default,
//     an unknown key is ignored); COPY TO writes one object per row.
//   - FORMAT arrow is an Arrow IPC file (copyarrow.go).
//   - ON_ERROR 'ignore' (or 'skip') leaves out the rows whose data is
//     malformed or does not fit its column's type, as PostgreSQL 17 does, and
//     says how many with a NOTICE; REJECT_FILE '/path' writes each such row
//     there as CSV (line, sqlstate, error, context, data).

// otherFormats lists the formats COPY reads and writes here, with the
// options each takes besides FORMAT, ON_ERROR and REJECT_FILE (none).
var otherFormats = map[string]bool{"json": true, "arrow": true}

// checkOtherFormat refuses a format COPY does not know and the text and CSV
// options given to a format that has none.
func checkOtherFormat(st *sql.CopyStmt, f exec.CopyFormat) (string, error) {
	name := strings.ToLower(f.Other["format"])
	if !otherFormats[name] {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "COPY format %q is not supported; use text, csv, json or arrow", f.Other["format"])
	}
	for k := range f.Other {
		switch k {
		case "format", "on_error", "reject_file", "freeze":
		default:
			return "", sqlerr.New(sqlerr.FeatureNotSupported, "COPY option %q is not available with FORMAT %s", k, name)
		}
	}
	if name == "arrow" && !st.IsFile {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "COPY FORMAT arrow reads and writes server files only").
			WithHint("Give a file name: COPY t TO '/path/t.arrow' (FORMAT arrow).")
	}
	return name, nil
}

// copyFrom runs COPY FROM a file or STDIN into t's columns cols.
func (s *Session) copyFrom(c *exec.Context, t *catalog.Table, cols []int, st *sql.CopyStmt, f exec.CopyFormat, w ResultWriter) error {
	other := ""
	if f.Other != nil {
		var err error
		if other, err = checkOtherFormat(st, f); err != nil {
			return err
		}
	}
	rej, err := s.rejects(st, &f)
	if err != nil {
		return err
	}
	var r io.Reader
	if st.IsFile {
		f.File = st.File
		file, err := openCopyFile(s.db.opts.Dir, st.File)
		if err != nil {
			rej.close()
			return err
		}
		defer file.Close()
		r = file
	} else if r, err = w.CopyIn(len(cols), f.CSV); err != nil {
		rej.close()
		return err
	}
	var n int64
	switch other {
	case "json":
		n, err = c.CopyLoad(t, cols, jsonSource(c, t, cols, r, f), f)
	case "arrow":
		n, err = s.copyFromArrow(c, t, cols, st.File, r, f)
	default:
		n, err = c.CopyFrom(t, cols, r, f)
	}
	if cerr := rej.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if rej.skipped > 0 {
		noun := "rows were"
		if rej.skipped == 1 {
			noun = "row was"
		}
		w.Notice(Notice{Severity: "NOTICE", Code: "00000", Message: fmt.Sprintf("%d %s skipped due to data type incompatibility", rej.skipped, noun)})
	}
	return w.Complete(fmt.Sprintf("COPY %d", n))
}

// checkCopyTo refuses the options of COPY FROM only.
func checkCopyTo(st *sql.CopyStmt) error {
	for _, k := range []string{"on_error", "reject_file"} {
		if _, ok := st.Options[k]; ok {
			return sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s cannot be used with COPY TO", strings.ToUpper(k))
		}
	}
	return nil
}

// rejected counts the rows ON_ERROR ignore leaves out and writes them to
// the reject file, if any.
type rejected struct {
	skipped int64
	file    *copyFileWriter
	csv     *csv.Writer
}

// rejects checks ON_ERROR and REJECT_FILE and, with ON_ERROR ignore, sets
// f.Rejected to count (and write) the rows left out.
func (s *Session) rejects(st *sql.CopyStmt, f *exec.CopyFormat) (*rejected, error) {
	name, hasFile := st.Options["reject_file"]
	if hasFile && !f.Skip {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "COPY REJECT_FILE requires ON_ERROR ignore").
			WithHint("Add ON_ERROR 'ignore' to skip the bad rows and write them to the reject file.")
	}
	rej := &rejected{}
	if !f.Skip {
		return rej, nil
	}
	if hasFile {
		if err := s.checkServerFiles(false); err != nil {
			return nil, err
		}
		file, err := createCopyFile(name)
		if err != nil {
			return nil, err
		}
		rej.file, rej.csv = file, csv.NewWriter(file)
		if err := rej.csv.Write([]string{"line", "sqlstate", "error", "context", "data"}); err != nil {
			file.Close()
			return nil, err
		}
	}
	f.Rejected = func(line int64, raw []byte, e *sqlerr.Error) error {
		rej.skipped++
		if rej.csv == nil {
			return nil
		}
		return rej.csv.Write([]string{strconv.FormatInt(line, 10), e.Code, e.Message, e.Detail, string(raw)})
	}
	return rej, nil
}

// close flushes and closes the reject file, if any.
func (r *rejected) close() error {
	if r == nil || r.file == nil {
		return nil
	}
	r.csv.Flush()
	err := r.csv.Error()
	if cerr := r.file.Close(); err == nil {
		err = cerr
	}
	r.file = nil
	return err
}

// jsonSource reads the rows of an NDJSON stream for CopyLoad: each line's
// object gives the columns cols of t by name. Blank lines are skipped.
func jsonSource(c *exec.Context, t *catalog.Table, cols []int, r io.Reader, f exec.CopyFormat) exec.CopySource {
	index := make(map[string]int, len(cols))
	for i, col := range cols {
		index[t.Columns[col].Name] = i
	}
	br := bufio.NewReaderSize(r, 256<<10)
	dec := exec.NewJSONDecoder()
	var line int64
	return func() ([]*string, int64, []byte, error) {
		for {
			raw, err := br.ReadBytes('\n')
			if err != nil && (err != io.EOF || len(raw) == 0) {
				return nil, line, nil, err
			}
			line++
			c.Progress.Add(0, int64(len(raw)))
			raw = bytes.TrimRight(raw, "\r\n")
			if len(bytes.TrimSpace(raw)) == 0 {
				continue
			}
			members, derr := dec.Decode(raw)
			if derr != nil {
				return nil, line, raw, sqlerr.New(sqlerr.BadCopyFileFormat, "invalid JSON: %v", derr).WithDetail("%s", f.At(t, line))
			}
			fields := make([]*string, len(cols)) // the load keeps it
			for i := range fields {
				fields[i] = exec.CopyDefault
			}
			for _, m := range members {
				if i, ok := index[m.Key]; ok {
					fields[i] = m.Val
				}
			}
			return fields, line, raw, nil
		}
	}
}

// copyColumns returns the names and types of the columns COPY TO writes:
// cols of t, or the query's.
func copyColumns(t *catalog.Table, cols []int, q *plan.Query) ([]string, []types.T) {
	var names []string
	var typs []types.T
	if q != nil {
		for _, col := range q.Root.Columns() {
			names, typs = append(names, col.Name), append(typs, col.Type)
		}
		return names, typs
	}
	for _, col := range cols {
		names, typs = append(names, t.Columns[col].Name), append(typs, t.Columns[col].Type)
	}
	return names, typs
}

// formatWriter writes the rows of COPY TO in json or arrow format; Close
// writes what it still holds (not closing out).
type formatWriter interface {
	Row(vals []types.Value) error
	Close() error
}

// newFormatWriter returns the writer of format f's rows to out.
func (s *Session) newFormatWriter(st *sql.CopyStmt, f exec.CopyFormat, out io.Writer, names []string, typs []types.T) (formatWriter, error) {
	name, err := checkOtherFormat(st, f)
	if err != nil {
		return nil, err
	}
	if name == "arrow" {
		return newArrowFileWriter(out, names, typs)
	}
	return &jsonWriter{out: out, names: names, typs: typs, s: s}, nil
}

// jsonWriter writes rows as NDJSON objects: numbers and booleans as JSON
// numbers and booleans (NaN and infinities as strings), json and jsonb
// values as they are, NULL as null, anything else as a string in its
// PostgreSQL text form.
type jsonWriter struct {
	out   io.Writer
	names []string
	typs  []types.T
	s     *Session
	buf   []byte
	text  []byte
}

func (j *jsonWriter) Row(vals []types.Value) error {
	j.buf = append(j.buf[:0], '{')
	for i, v := range vals {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.buf = appendJSONString(j.buf, j.names[i])
		j.buf = append(j.buf, ':')
		if v.IsNull() {
			j.buf = append(j.buf, "null"...)
			continue
		}
		t := j.typs[i]
		j.text = types.AppendTextIn(j.text[:0], v, t, j.s.loc)
		switch {
		case t.ID == types.Bool:
			j.buf = strconv.AppendBool(j.buf, v.Bool())
		case t.ID == types.JSON || t.ID == types.JSONB:
			j.buf = append(j.buf, j.text...)
		case t.IsNumeric() && json.Valid(j.text): // not NaN or Infinity
			j.buf = append(j.buf, j.text...)
		default:
			j.buf = appendJSONString(j.buf, string(j.text))
		}
	}
	j.buf = append(j.buf, '}', '\n')
	_, err := j.out.Write(j.buf)
	return err
}

func (j *jsonWriter) Close() error { return nil }

// appendJSONString appends s as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(buf, b...)
}
