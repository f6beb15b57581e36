package config

// Editing the configuration file in place for ALTER SYSTEM SET ... SCOPE =
// SPFILE: one key's value changes and every other byte (comments, blank
// lines, order, spacing, line endings) stays as the administrator wrote it.
// A TOML encoder would rewrite the whole file, so this works on lines: the
// configuration is flat ([section] tables of key = value), which a line
// scanner understands. Whatever it cannot place (a key inside an inline
// table, say) makes the edited text fail to load, and Params refuses to
// write it.

import (
	"os"
	"path/filepath"
	"strings"
)

// setKey returns text with section.key set to value, a TOML value: the
// value of its line replaced (keeping the key's spelling, the spacing and a
// trailing comment), or a line added at the end of the section, or the
// section added at the end of the file. A nil value removes the key's line.
func setKey(text, section, key string, value *string) string {
	lines := strings.Split(text, "\n")
	nl := "\n"
	if strings.Contains(text, "\r\n") {
		nl = "\r\n"
	}
	want := section + "." + key
	table := ""       // the table the scan is in
	header := -1      // line of [section]
	last := -1        // last line of the last key of section
	dotted := -1      // last line of a top-level section.x = ... key
	at, end := -1, -1 // lines of the key's value
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "[["):
			table = "[[" // an array of tables: nothing of ours
		case strings.HasPrefix(line, "["):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "["), "]")
			table = normalizeKey(name)
			if table == section && header < 0 {
				header = i
			}
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			j := valueEnd(lines, i, strings.TrimSpace(v))
			name := normalizeKey(k)
			if table != "" {
				name = table + "." + name
			}
			switch {
			case name == want && at < 0:
				at, end = i, j
			case table == section:
				last = j
			case table == "" && strings.HasPrefix(name, section+"."):
				dotted = j
			}
			i = j
		}
	}

	switch {
	case at >= 0 && value == nil:
		lines = append(lines[:at], lines[end+1:]...)
	case at >= 0:
		lines[at] = replaceValue(lines[at], *value, at == end)
		lines = append(lines[:at+1], lines[end+1:]...)
	case value == nil:
	case header >= 0:
		lines = insertLine(lines, max(header, last)+1, key+" = "+*value+strings.TrimSuffix(nl, "\n"))
	case dotted >= 0:
		lines = insertLine(lines, dotted+1, want+" = "+*value+strings.TrimSuffix(nl, "\n"))
	default:
		out := text
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += nl
		}
		if strings.TrimSpace(out) != "" {
			out += nl
		}
		return out + "[" + section + "]" + nl + key + " = " + *value + nl
	}
	return strings.Join(lines, "\n")
}

// valueEnd returns the line on which the value v starting on line i ends:
// i, unless v opens a multi-line string.
func valueEnd(lines []string, i int, v string) int {
	for _, q := range []string{`"""`, `'''`} {
		if rest, ok := strings.CutPrefix(v, q); ok && !strings.Contains(rest, q) {
			for j := i + 1; j < len(lines); j++ {
				if strings.Contains(lines[j], q) {
					return j
				}
			}
			return len(lines) - 1
		}
	}
	return i
}

// replaceValue returns line, a key = value line, with value in place of its
// value. When the old value ended on this line, what followed it (spaces
// and a comment, a carriage return) is kept.
func replaceValue(line, value string, oneLine bool) string {
	eq := strings.IndexByte(line, '=')
	start := eq + 1
	for start < len(line) && (line[start] == ' ' || line[start] == '\t') {
		start++
	}
	rest := ""
	if oneLine {
		stop := commentStart(line[start:])
		rest = line[start+len(strings.TrimRight(line[start:start+stop], " \t\r")):]
	} else if strings.HasSuffix(line, "\r") {
		rest = "\r"
	}
	return line[:start] + value + rest
}

// commentStart returns the index of the # that starts a comment in s, a
// value and what follows it, or len(s): a # inside a string is not one.
func commentStart(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return i
		}
	}
	return len(s)
}

func insertLine(lines []string, at int, line string) []string {
	return append(lines[:at], append([]string{line}, lines[at:]...)...)
}

// writeFileAtomic replaces the file at path (following a symlink to it)
// with data, so that a reader or a crash sees the old contents or the new,
// never a mix: a temporary file beside it is written, synced and renamed
// over it, keeping its permissions.
func writeFileAtomic(path string, data []byte) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	mode := os.FileMode(0o600)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	// The rename is durable once the directory is synced.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
