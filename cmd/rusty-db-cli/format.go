package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Output as psql 15 prints it with its default settings (border 1, ascii
// line style): aligned tables with a centered header, numbers right-aligned,
// "+" marking a value that continues on the next line, a "(N rows)" footer;
// the unaligned and expanded forms; error and notice messages; timings.

// printOpts are the settings \pset, \x, -A, -t and -F change.
type printOpts struct {
	unaligned  bool
	tuplesOnly bool
	expanded   expandedMode
	fieldSep   string // between values in unaligned output
	null       string // how NULL shows
	// termWidth returns the terminal's width for \x auto, 0 when the
	// output is not a terminal.
	termWidth func() int
}

type expandedMode uint8

const (
	expandedOff expandedMode = iota
	expandedOn
	expandedAuto
)

// table is what gets printed: a result, or a meta-command's listing.
type table struct {
	title   string
	headers []string
	right   []bool     // right-aligned columns
	rows    [][][]byte // nil values are NULL
	// footers replace the "(N rows)" line when set (describe output).
	footers   []string
	noFooters bool
}

// numericOIDs are the types psql right-aligns.
var numericOIDs = map[uint32]bool{
	20: true, 21: true, 23: true, 26: true, 28: true, 29: true, // int8 int2 int4 oid xid cid
	700: true, 701: true, 790: true, 1700: true, 5069: true, // float4 float8 money numeric xid8
}

// resultTable makes a table of a query result.
func resultTable(r *result) *table {
	t := &table{headers: make([]string, len(r.cols)), right: make([]bool, len(r.cols)), rows: r.rows}
	for i, c := range r.cols {
		t.headers[i], t.right[i] = c.name, numericOIDs[c.oid]
	}
	return t
}

// print writes t to w in the format o says.
func (o *printOpts) print(w io.Writer, t *table) error {
	bw := bufio.NewWriter(w)
	switch {
	case o.unaligned && o.expanded == expandedOn:
		o.unalignedExpanded(bw, t)
	case o.unaligned:
		o.unalignedTable(bw, t)
	default:
		cells := layout(t, o.null)
		if o.expanded == expandedOn || o.expanded == expandedAuto && o.termWidth != nil && o.termWidth() > 0 && cells.totalWidth() > o.termWidth() {
			o.alignedExpanded(bw, t, cells)
		} else {
			o.alignedTable(bw, t, cells)
		}
	}
	return bw.Flush()
}

// rowCount is psql's "(N rows)" footer.
func rowCount(n int) string {
	if n == 1 {
		return "(1 row)"
	}
	return fmt.Sprintf("(%d rows)", n)
}

func (o *printOpts) footers(bw *bufio.Writer, t *table) {
	if o.tuplesOnly || t.noFooters {
		return
	}
	if t.footers != nil {
		for _, f := range t.footers {
			bw.WriteString(f + "\n")
		}
		return
	}
	bw.WriteString(rowCount(len(t.rows)) + "\n")
}

// cell is a value as displayed: its lines and their widths.
type cell struct {
	lines  []string
	widths []int
}

func (c *cell) width() int {
	w := 0
	for _, x := range c.widths {
		w = max(w, x)
	}
	return w
}

// displayCell formats a value for aligned output as psql does: a newline
// starts a new line, a tab becomes spaces to the next multiple of 8,
// a carriage return shows as \r and other control characters as \xNN.
func displayCell(s string) cell {
	var c cell
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch {
		case r == '\n':
			c.lines, c.widths = append(c.lines, b.String()), append(c.widths, col)
			b.Reset()
			col = 0
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
		case r == '\r':
			b.WriteString(`\r`)
			col += 2
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
			col += 4
		case r < utf8.RuneSelf:
			b.WriteRune(r)
			col++
		default:
			b.WriteRune(r)
			col += uniseg.StringWidth(string(r))
		}
	}
	c.lines, c.widths = append(c.lines, b.String()), append(c.widths, col)
	return c
}

// cells is a table laid out for aligned output.
type cells struct {
	headers []cell
	rows    [][]cell
	widths  []int // column widths
}

func layout(t *table, null string) *cells {
	c := &cells{headers: make([]cell, len(t.headers)), rows: make([][]cell, len(t.rows)), widths: make([]int, len(t.headers))}
	for j, h := range t.headers {
		c.headers[j] = displayCell(h)
		c.widths[j] = c.headers[j].width()
	}
	for i, row := range t.rows {
		c.rows[i] = make([]cell, len(row))
		for j, v := range row {
			s := null
			if v != nil {
				s = string(v)
			}
			c.rows[i][j] = displayCell(s)
			if j < len(c.widths) {
				c.widths[j] = max(c.widths[j], c.rows[i][j].width())
			}
		}
	}
	return c
}

// totalWidth is the width of an aligned table's lines.
func (c *cells) totalWidth() int {
	w := 0
	for _, x := range c.widths {
		w += x + 3
	}
	return max(w-1, 0)
}

func pad(bw *bufio.Writer, n int) {
	for ; n > 0; n-- {
		bw.WriteByte(' ')
	}
}

func (o *printOpts) alignedTable(bw *bufio.Writer, t *table, c *cells) {
	n := len(c.widths)
	if !o.tuplesOnly {
		if t.title != "" {
			if tw := uniseg.StringWidth(t.title); tw <= c.totalWidth() {
				pad(bw, (c.totalWidth()-tw)/2)
			}
			bw.WriteString(t.title + "\n")
		}
		// headers, centered; a header with several lines ends its lines with +
		for line, more := 0, true; more; line++ {
			more = false
			for j, h := range c.headers {
				bw.WriteByte(' ')
				if line < len(h.lines) {
					space := c.widths[j] - h.widths[line]
					pad(bw, space/2)
					bw.WriteString(h.lines[line])
					pad(bw, (space+1)/2)
				} else {
					pad(bw, c.widths[j])
				}
				if line+1 < len(h.lines) {
					bw.WriteByte('+')
					more = true
				} else {
					bw.WriteByte(' ')
				}
				if j < n-1 {
					bw.WriteByte('|')
				}
			}
			bw.WriteByte('\n')
		}
		for j, w := range c.widths {
			if j > 0 {
				bw.WriteByte('+')
			}
			bw.WriteString(strings.Repeat("-", w+2))
		}
		bw.WriteByte('\n')
	}
	for _, row := range c.rows {
		for line, more := 0, true; more; line++ {
			more = false
			for j, v := range row {
				last := j == len(row)-1
				bw.WriteByte(' ')
				switch {
				case line >= len(v.lines):
					if !last {
						pad(bw, c.widths[j])
					}
				case t.right[j]:
					pad(bw, c.widths[j]-v.widths[line])
					bw.WriteString(v.lines[line])
				default:
					bw.WriteString(v.lines[line])
				}
				cont := line+1 < len(v.lines) // the value goes on on the next line
				more = more || cont
				if !t.right[j] && line < len(v.lines) && (!last || cont) {
					pad(bw, c.widths[j]-v.widths[line])
				}
				switch {
				case cont:
					bw.WriteByte('+')
				case !last:
					bw.WriteByte(' ')
				}
				if !last {
					bw.WriteByte('|')
				}
			}
			bw.WriteByte('\n')
		}
	}
	o.footers(bw, t)
	bw.WriteByte('\n')
}

// alignedExpanded prints each row as a record of "column | value" lines.
func (o *printOpts) alignedExpanded(bw *bufio.Writer, t *table, c *cells) {
	if len(t.rows) == 0 {
		if !o.tuplesOnly {
			bw.WriteString(rowCount(0) + "\n")
		}
		bw.WriteByte('\n')
		return
	}
	if !o.tuplesOnly && t.title != "" {
		bw.WriteString(t.title + "\n")
	}
	hwidth, dwidth := 0, 0
	for _, h := range c.headers {
		hwidth = max(hwidth, h.width())
	}
	for _, row := range c.rows {
		for _, v := range row {
			dwidth = max(dwidth, v.width())
		}
	}
	for i, row := range c.rows {
		switch {
		case !o.tuplesOnly:
			recordLine(bw, fmt.Sprintf("[ RECORD %d ]", i+1), hwidth, dwidth)
		case i > 0:
			recordLine(bw, "", hwidth, dwidth)
		}
		for j, v := range row {
			h := c.headers[j]
			for line := 0; line < max(len(h.lines), len(v.lines)); line++ {
				if line < len(h.lines) {
					bw.WriteString(h.lines[line])
					pad(bw, hwidth-h.widths[line])
					if line+1 < len(h.lines) {
						bw.WriteByte('+')
					} else {
						bw.WriteByte(' ')
					}
				} else {
					pad(bw, hwidth+1)
				}
				bw.WriteByte('|')
				if line < len(v.lines) {
					bw.WriteByte(' ')
					bw.WriteString(v.lines[line])
					if line+1 < len(v.lines) {
						pad(bw, dwidth-v.widths[line])
						bw.WriteByte('+')
					}
				}
				bw.WriteByte('\n')
			}
		}
	}
	bw.WriteByte('\n')
}

// recordLine is the rule above a record: -[ RECORD n ]-+------ sized to
// the header and data widths, as psql draws it.
func recordLine(bw *bufio.Writer, label string, hwidth, dwidth int) {
	bw.WriteByte('-')
	bw.WriteString(label)
	n := utf8.RuneCountInString(label) + 1
	for ; n < hwidth; n++ {
		bw.WriteByte('-')
	}
	n -= hwidth
	for _, s := range []byte("-+-") {
		if n <= 0 {
			bw.WriteByte(s)
		}
		n--
	}
	for n = max(n, 0); n < dwidth; n++ {
		bw.WriteByte('-')
	}
	bw.WriteByte('\n')
}

func (o *printOpts) value(v []byte) string {
	if v == nil {
		return o.null
	}
	return string(v)
}

func (o *printOpts) unalignedTable(bw *bufio.Writer, t *table) {
	if !o.tuplesOnly {
		if t.title != "" {
			bw.WriteString(t.title + "\n")
		}
		bw.WriteString(strings.Join(t.headers, o.fieldSep) + "\n")
	}
	for _, row := range t.rows {
		for j, v := range row {
			if j > 0 {
				bw.WriteString(o.fieldSep)
			}
			bw.WriteString(o.value(v))
		}
		bw.WriteByte('\n')
	}
	o.footers(bw, t)
}

func (o *printOpts) unalignedExpanded(bw *bufio.Writer, t *table) {
	if len(t.rows) == 0 && !o.tuplesOnly {
		bw.WriteString(rowCount(0) + "\n")
	}
	for i, row := range t.rows {
		if i > 0 {
			bw.WriteByte('\n')
		}
		for j, v := range row {
			bw.WriteString(t.headers[j] + o.fieldSep + o.value(v) + "\n")
		}
	}
}

// formatMessage renders an error or notice as psql does at the given
// VERBOSITY (terse, default or verbose): the severity and text, for an
// error with a position the query line with a caret under it, then DETAIL
// and HINT.
func formatMessage(m message, query, verbosity string) string {
	var b strings.Builder
	b.WriteString(m.severity + ":  ")
	if verbosity == "verbose" && m.code != "" {
		b.WriteString(m.code + ": ")
	}
	b.WriteString(m.text + "\n")
	if verbosity == "terse" {
		return b.String()
	}
	if m.position > 0 {
		b.WriteString(errorContext(query, m.position))
	}
	if m.detail != "" {
		b.WriteString("DETAIL:  " + m.detail + "\n")
	}
	if m.hint != "" {
		b.WriteString("HINT:  " + m.hint + "\n")
	}
	return b.String()
}

// Limits of the LINE context, as in libpq.
const (
	contextWidth = 60 // screen columns of query text shown
	minRightCut  = 10 // columns kept right of the caret when cutting
)

// errorContext shows the line of query holding the 1-based character
// position pos and a caret under it (libpq's reportErrorPosition): long
// lines are cut to about 60 columns around the position, marked "...".
func errorContext(query string, pos int) string {
	chars := []rune(query)
	loc := pos - 1
	if loc < 0 || loc > len(chars) {
		return ""
	}
	// screen column of each character from the start of the query; a tab
	// counts as one space, other control characters as one column
	scr := make([]int, len(chars)+1)
	lineNo, beg, end := 1, 0, len(chars)
	for i, ch := range chars {
		if ch == '\r' || ch == '\n' {
			if i < loc {
				if ch == '\r' || i == 0 || chars[i-1] != '\r' {
					lineNo++
				}
				beg = i + 1
			} else {
				end = i
				break
			}
		}
		w := 1
		if ch >= utf8.RuneSelf {
			w = max(uniseg.StringWidth(string(ch)), 1)
		}
		scr[i+1] = scr[i] + w
	}
	begCut, endCut := false, false
	if scr[end]-scr[beg] > contextWidth {
		if scr[beg]+contextWidth >= scr[loc]+minRightCut {
			for scr[end]-scr[beg] > contextWidth {
				end--
			}
			endCut = true
		} else {
			for scr[loc]+minRightCut < scr[end] {
				end--
				endCut = true
			}
			for scr[end]-scr[beg] > contextWidth {
				beg++
				begCut = true
			}
		}
	}
	prefix := fmt.Sprintf("LINE %d: ", lineNo)
	if begCut {
		prefix += "..."
	}
	text := strings.ReplaceAll(string(chars[beg:end]), "\t", " ")
	if endCut {
		text += "..."
	}
	return prefix + text + "\n" + strings.Repeat(" ", uniseg.StringWidth(prefix)+scr[loc]-scr[beg]) + "^\n"
}

// formatTiming is \timing's line: milliseconds, and from one second on the
// duration in [[d ]hh:]mm:ss.sss too.
func formatTiming(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 1000 {
		return fmt.Sprintf("Time: %.3f ms", ms)
	}
	seconds := ms / 1000
	minutes := math.Floor(seconds / 60)
	seconds -= 60 * minutes
	if minutes < 60 {
		return fmt.Sprintf("Time: %.3f ms (%02d:%06.3f)", ms, int(minutes), seconds)
	}
	hours := math.Floor(minutes / 60)
	minutes -= 60 * hours
	if hours < 24 {
		return fmt.Sprintf("Time: %.3f ms (%02d:%02d:%06.3f)", ms, int(hours), int(minutes), seconds)
	}
	days := math.Floor(hours / 24)
	hours -= 24 * days
	return fmt.Sprintf("Time: %.3f ms (%.0f d %02d:%02d:%06.3f)", ms, days, int(hours), int(minutes), seconds)
}
