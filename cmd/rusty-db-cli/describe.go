package main

import (
	"context"
	"fmt"
	"strings"
)

// The \d family. Like psql, it asks the server's pg_catalog (the queries
// are simplified forms of those psql 15 sends) and lays the answers out
// client-side: the same titles, columns and footers as psql.

// relkinds of the relation listings.
const kindCase = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END`

// describeCommand runs \d, \dt, \di, \dv, \ds, \dn, \du and \dg (a trailing
// + or S is accepted and ignored). known is false for other commands.
func (c *cli) describeCommand(name, pattern string) (ok, known bool) {
	base := strings.TrimRight(name, "+S")
	switch base {
	case "d":
		if pattern != "" {
			return c.describeRelations(pattern), true
		}
		return c.listRelations("rpvmSf", pattern), true
	case "dt":
		return c.listRelations("rp", pattern), true
	case "di":
		return c.listRelations("iI", pattern), true
	case "dv":
		return c.listRelations("v", pattern), true
	case "ds":
		return c.listRelations("S", pattern), true
	case "dn":
		return c.listSchemas(pattern), true
	case "du", "dg":
		return c.listRoles(pattern), true
	}
	return false, false
}

// query runs a catalog query and returns its rows; errors are printed.
func (c *cli) query(sql string) (*result, bool) {
	var res *result
	err := c.be.exec(context.Background(), &request{query: sql}, func(r *result) error {
		res = r
		return nil
	})
	if err != nil {
		c.printError(err, sql)
		return nil, false
	}
	if res == nil || res.cols == nil {
		res = &result{cols: []column{}}
	}
	return res, true
}

// show prints a catalog listing with a title.
func (c *cli) show(res *result, title string) bool {
	t := resultTable(res)
	t.title = title
	return c.printTable(t)
}

func (c *cli) printTable(t *table) bool {
	if err := c.pset.print(c.out, t); err != nil {
		fmt.Fprintf(c.stderr, "rusty-db-cli: could not write output: %v\n", err)
		return false
	}
	return true
}

// notFound says that a listing found nothing, as psql does (on stderr,
// and not an error).
func (c *cli) notFound(pattern, what string) {
	if c.quiet() {
		return
	}
	if pattern != "" {
		c.logError("Did not find any %s named \"%s\".", what, pattern)
	} else {
		c.logError("Did not find any %ss.", what)
	}
}

func (c *cli) listRelations(kinds, pattern string) bool {
	var in []string
	for _, k := range kinds {
		in = append(in, "'"+string(k)+"'")
	}
	sel, join := "", ""
	if kinds == "iI" {
		sel = `,
  c2.relname as "Table"`
		join = `
     LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
     LEFT JOIN pg_catalog.pg_class c2 ON i.indrelid = c2.oid`
	}
	res, ok := c.query(`SELECT n.nspname as "Schema",
  c.relname as "Name",
  ` + kindCase + ` as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"` + sel + `
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace` + join + `
WHERE c.relkind IN (` + strings.Join(in, ",") + `)
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
` + patternClause(pattern, "n.nspname", "c.relname", "pg_catalog.pg_table_is_visible(c.oid)") + `
ORDER BY 1,2;`)
	if !ok {
		return false
	}
	if len(res.rows) == 0 {
		c.notFound(pattern, "relation")
		return true
	}
	return c.show(res, "List of relations")
}

// nameFilter is the WHERE clause of a listing of the names in col: the
// pattern's, else the default condition (which hides system objects).
func nameFilter(pattern, col, def string) string {
	if pattern == "" {
		return "WHERE " + def
	}
	return "WHERE true" + patternClause(pattern, "", col, "")
}

func (c *cli) listSchemas(pattern string) bool {
	res, ok := c.query(`SELECT n.nspname AS "Name",
  pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner"
FROM pg_catalog.pg_namespace n
` + nameFilter(pattern, "n.nspname", `n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'`) + `
ORDER BY 1;`)
	if !ok {
		return false
	}
	return c.show(res, "List of schemas")
}

func (c *cli) listDatabases() bool {
	res, ok := c.query(`SELECT d.datname as "Name",
       pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
       pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding",
       d.datcollate as "Collate",
       d.datctype as "Ctype",
       d.daticulocale as "ICU Locale",
       CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS "Locale Provider",
       pg_catalog.array_to_string(d.datacl, E'\n') AS "Access privileges"
FROM pg_catalog.pg_database d
ORDER BY 1;`)
	if !ok {
		return false
	}
	return c.show(res, "List of databases")
}

// listRoles is \du: psql lays the role flags out as a list of attributes.
func (c *cli) listRoles(pattern string) bool {
	res, ok := c.query(`SELECT r.rolname, r.rolsuper, r.rolinherit,
  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
  r.rolconnlimit, r.rolvaliduntil,
  ARRAY(SELECT b.rolname
        FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid)
        WHERE m.member = r.oid) as memberof
, r.rolreplication
, r.rolbypassrls
FROM pg_catalog.pg_roles r
` + nameFilter(pattern, "r.rolname", `r.rolname !~ '^pg_'`) + `
ORDER BY 1;`)
	if !ok {
		return false
	}
	if len(res.rows) == 0 {
		c.notFound(pattern, "role")
		return true
	}
	t := &table{title: "List of roles", headers: []string{"Role name", "Attributes", "Member of"}, right: make([]bool, 3), noFooters: true}
	for _, r := range res.rows {
		v := func(i int) string { return string(r[i]) }
		var attrs []string
		add := func(cond bool, s string) {
			if cond {
				attrs = append(attrs, s)
			}
		}
		add(v(1) == "t", "Superuser")
		add(v(2) != "t", "No inheritance")
		add(v(3) == "t", "Create role")
		add(v(4) == "t", "Create DB")
		add(v(5) != "t", "Cannot login")
		add(v(9) == "t", "Replication")
		add(v(10) == "t", "Bypass RLS")
		a := strings.Join(attrs, ", ")
		var extra []string
		if a != "" {
			extra = append(extra, a)
		}
		switch n := v(6); {
		case n == "0":
			extra = append(extra, "No connections")
		case n == "1":
			extra = append(extra, "1 connection")
		case n != "" && n[0] != '-':
			extra = append(extra, n+" connections")
		}
		if v(7) != "" {
			extra = append(extra, "Password valid until "+v(7))
		}
		t.rows = append(t.rows, [][]byte{r[0], []byte(strings.Join(extra, "\n")), r[8]})
	}
	return c.printTable(t)
}

// describeRelations is \d NAME: each matching relation described.
func (c *cli) describeRelations(pattern string) bool {
	res, ok := c.query(`SELECT c.oid, n.nspname, c.relname, c.relkind
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE true` + patternClause(pattern, "n.nspname", "c.relname", "pg_catalog.pg_table_is_visible(c.oid)") + `
ORDER BY 2, 3;`)
	if !ok {
		return false
	}
	if len(res.rows) == 0 {
		c.notFound(pattern, "relation")
		return true
	}
	for _, r := range res.rows {
		oid, schema, name, kind := string(r[0]), string(r[1]), string(r[2]), string(r[3])
		qualified := fmt.Sprintf("\"%s.%s\"", schema, name)
		var ok bool
		switch kind {
		case "i", "I":
			ok = c.describeIndex(oid, schema, qualified)
		case "S":
			ok = c.describeSequence(oid, qualified)
		default:
			ok = c.describeTable(oid, kind, qualified)
		}
		if !ok {
			return false
		}
	}
	return true
}

// text turns NULL into "", as describe output shows it.
func text(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

func (c *cli) describeTable(oid, kind, qualified string) bool {
	cols, ok := c.query(`SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '` + oid + `' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;`)
	if !ok {
		return false
	}
	title := map[string]string{"v": "View", "m": "Materialized view", "f": "Foreign table", "p": "Partitioned table"}[kind]
	if title == "" {
		title = "Table"
	}
	t := &table{title: title + " " + qualified, headers: []string{"Column", "Type", "Collation", "Nullable", "Default"},
		right: make([]bool, 5), footers: []string{}}
	for _, r := range cols.rows {
		def := string(r[2])
		switch {
		case string(r[5]) == "a":
			def = "generated always as identity"
		case string(r[5]) == "d":
			def = "generated by default as identity"
		case string(r[6]) == "s":
			def = "generated always as (" + def + ") stored"
		}
		nullable := ""
		if string(r[3]) == "t" {
			nullable = "not null"
		}
		t.rows = append(t.rows, [][]byte{r[0], r[1], text(r[4]), []byte(nullable), []byte(def)})
	}
	if kind == "r" || kind == "p" {
		f, ok := c.tableFooters(oid)
		if !ok {
			return false
		}
		t.footers = f
	}
	return c.printTable(t)
}

// tableFooters lists a table's indexes, check constraints, foreign keys
// and the foreign keys that refer to it, as psql's \d does.
func (c *cli) tableFooters(oid string) ([]string, bool) {
	var footers []string
	section := func(title, sql string, line func(r [][]byte) string) bool {
		res, ok := c.query(sql)
		if !ok {
			return false
		}
		if len(res.rows) > 0 {
			footers = append(footers, title)
			for _, r := range res.rows {
				footers = append(footers, "    "+line(r))
			}
		}
		return true
	}
	ok := section("Indexes:", `SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),
  pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
  LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
WHERE c.oid = '`+oid+`' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;`, indexLine) &&
		section("Check constraints:", `SELECT r.conname, pg_catalog.pg_get_constraintdef(r.oid, true)
FROM pg_catalog.pg_constraint r
WHERE r.conrelid = '`+oid+`' AND r.contype = 'c'
ORDER BY 1;`, func(r [][]byte) string { return fmt.Sprintf("\"%s\" %s", r[0], r[1]) }) &&
		section("Foreign-key constraints:", `SELECT r.conname, pg_catalog.pg_get_constraintdef(r.oid, true)
FROM pg_catalog.pg_constraint r
WHERE r.conrelid = '`+oid+`' AND r.contype = 'f'
ORDER BY 1;`, func(r [][]byte) string { return fmt.Sprintf("\"%s\" %s", r[0], r[1]) }) &&
		section("Referenced by:", `SELECT conname, conrelid::pg_catalog.regclass, pg_catalog.pg_get_constraintdef(oid, true)
FROM pg_catalog.pg_constraint c
WHERE confrelid = '`+oid+`' AND contype = 'f'
ORDER BY 1;`, func(r [][]byte) string { return fmt.Sprintf("TABLE \"%s\" CONSTRAINT \"%s\" %s", r[1], r[0], r[2]) })
	return footers, ok
}

// indexLine is an index of \d's footer: name, PRIMARY KEY or UNIQUE, and
// the definition after USING.
func indexLine(r [][]byte) string {
	v := func(i int) string { return string(r[i]) }
	s := fmt.Sprintf("\"%s\"", v(0))
	if v(7) == "x" {
		return s + " " + v(6)
	}
	switch {
	case v(1) == "t":
		s += " PRIMARY KEY,"
	case v(2) == "t" && v(7) == "u":
		s += " UNIQUE CONSTRAINT,"
	case v(2) == "t":
		s += " UNIQUE,"
	}
	def := v(5)
	if _, after, found := strings.Cut(def, " USING "); found {
		def = after
	}
	s += " " + def
	if v(8) == "t" {
		s += " DEFERRABLE"
	}
	if v(9) == "t" {
		s += " INITIALLY DEFERRED"
	}
	if v(3) == "t" {
		s += " CLUSTER"
	}
	if v(4) != "t" {
		s += " INVALID"
	}
	if v(10) == "t" {
		s += " REPLICA IDENTITY"
	}
	return s
}

func (c *cli) describeIndex(oid, schema, qualified string) bool {
	res, ok := c.query(`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), i.indisprimary, i.indisunique, am.amname, t.relname
FROM pg_catalog.pg_index i
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
     LEFT JOIN pg_catalog.pg_am am ON am.oid = ic.relam
     LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indexrelid = '` + oid + `';`)
	if !ok || len(res.rows) == 0 {
		return ok
	}
	t := &table{title: "Index " + qualified, headers: []string{"Column", "Type", "Key?", "Definition"}, right: make([]bool, 4)}
	for _, r := range res.rows {
		if r[0] != nil {
			t.rows = append(t.rows, [][]byte{r[0], r[1], []byte("yes"), r[0]})
		}
	}
	r := res.rows[0]
	kind := ""
	switch {
	case string(r[2]) == "t":
		kind = "primary key, "
	case string(r[3]) == "t":
		kind = "unique, "
	}
	t.footers = []string{fmt.Sprintf("%s%s, for table \"%s.%s\"", kind, text(r[4]), schema, r[5])}
	return c.printTable(t)
}

func (c *cli) describeSequence(oid, qualified string) bool {
	res, ok := c.query(`SELECT pg_catalog.format_type(s.seqtypid, NULL) AS "Type",
       s.seqstart AS "Start",
       s.seqmin AS "Minimum",
       s.seqmax AS "Maximum",
       s.seqincrement AS "Increment",
       CASE WHEN s.seqcycle THEN 'yes' ELSE 'no' END AS "Cycles?",
       s.seqcache AS "Cache"
FROM pg_catalog.pg_sequence s
WHERE s.seqrelid = '` + oid + `';`)
	if !ok {
		return false
	}
	t := resultTable(res)
	t.title, t.noFooters = "Sequence "+qualified, true
	return c.printTable(t)
}

// patternClause turns a psql name pattern into SQL conditions (each
// starting with AND) on the schema and name columns: * matches any text,
// ? one character, a dot separates schema and name, letters fold to lower
// case outside "double quotes", $ is literal. Without a schema part the
// visibility condition applies, as in psql.
func patternClause(pattern, schemaCol, nameCol, visible string) string {
	if pattern == "" {
		if visible == "" {
			return ""
		}
		return "\n  AND " + visible
	}
	var schema, name strings.Builder
	cur := &name
	hasSchema := false
	inQuotes := false
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case ch == '"' && inQuotes && i+1 < len(pattern) && pattern[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			inQuotes = !inQuotes
		case inQuotes && strings.IndexByte(`|*+?()[]{}.^$\`, ch) >= 0:
			cur.WriteByte('\\')
			cur.WriteByte(ch)
		case inQuotes:
			cur.WriteByte(ch)
		case ch == '*':
			cur.WriteString(".*")
		case ch == '?':
			cur.WriteByte('.')
		case ch == '.' && schemaCol != "" && !hasSchema:
			schema.WriteString(name.String())
			name.Reset()
			hasSchema = true
		case ch == '$':
			cur.WriteString(`\$`)
		case ch >= 'A' && ch <= 'Z':
			cur.WriteByte(ch + 'a' - 'A')
		default:
			cur.WriteByte(ch)
		}
	}
	match := func(col, re string) string {
		return "\n  AND " + col + " OPERATOR(pg_catalog.~) " + quoteLiteral("^("+re+")$") + " COLLATE pg_catalog.default"
	}
	var b strings.Builder
	if name.Len() > 0 {
		b.WriteString(match(nameCol, name.String()))
	}
	switch {
	case hasSchema && schema.Len() > 0:
		b.WriteString(match(schemaCol, schema.String()))
	case !hasSchema && visible != "":
		b.WriteString("\n  AND " + visible)
	}
	return b.String()
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
