package sql

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"rustydb/sqlerr"
	"rustydb/types"
)

// Parse parses one or more ';'-separated statements. Empty statements are
// skipped. Errors are *sqlerr.Error with SQLSTATE 42601 and a 1-based position.
func Parse(src string) ([]Statement, error) {
	stmts, _, err := Split(src)
	return stmts, err
}

// Split parses src and also returns each statement's source text, which the
// server logs and reports in per-statement statistics.
func Split(src string) ([]Statement, []string, error) {
	stmts, texts, _, err := split(src, false)
	return stmts, texts, err
}

// SplitNormalized is Split that also normalizes each statement (see
// Normalize), from the tokens it lexed once.
func SplitNormalized(src string) ([]Statement, []string, []Normalized, error) {
	return split(src, true)
}

func split(src string, normalize bool) ([]Statement, []string, []Normalized, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, nil, nil, err
	}
	p := &parser{src: src, toks: toks}
	var stmts []Statement
	var texts []string
	var norms []Normalized
	for {
		for p.isOp(";") {
			p.i++
		}
		if p.peek().kind == tEOF {
			return stmts, texts, norms, nil
		}
		start, first := p.peek().pos, p.i
		s, err := p.statement()
		if err != nil {
			return nil, nil, nil, err
		}
		stmts = append(stmts, s)
		if !p.isOp(";") && p.peek().kind != tEOF {
			return nil, nil, nil, p.unexpected()
		}
		texts = append(texts, strings.TrimSpace(src[start:p.peek().pos]))
		if normalize {
			norms = append(norms, normalizeTokens(src, toks[first:p.i]))
		}
	}
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token        { return p.toks[p.i] }
func (p *parser) peekAt(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isKw(kw string) bool { return p.isKwAt(0, kw) }

func (p *parser) isOp(op string) bool { return p.isOpAt(0, op) }

func (p *parser) acceptKw(kws ...string) bool {
	for j, kw := range kws {
		if !p.isKwAt(j, kw) {
			return false
		}
	}
	p.i += len(kws)
	return true
}

// isKwAt reports whether the token j ahead is keyword kw.
func (p *parser) isKwAt(j int, kw string) bool {
	t := p.peekAt(j)
	return t.kind == tIdent && t.text == kw
}

// isName reports whether the token j ahead is an identifier, quoted or not.
func (p *parser) isName(j int) bool {
	k := p.peekAt(j).kind
	return k == tIdent || k == tQIdent
}

// isOpAt reports whether the token j ahead is operator op.
func (p *parser) isOpAt(j int, op string) bool {
	t := p.peekAt(j)
	return t.kind == tOp && t.text == op
}

func (p *parser) acceptOp(op string) bool {
	if p.isOp(op) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) error {
	if !p.acceptKw(kw) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) expectOp(op string) error {
	if !p.acceptOp(op) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return sqlerr.New(sqlerr.SyntaxError, format, args...).WithPosition(charPos(p.src, pos))
}

// unexpected reports a syntax error at the current token, worded as PostgreSQL does.
func (p *parser) unexpected() error {
	t := p.peek()
	if t.kind == tEOF {
		return p.errAt(t.pos, "syntax error at end of input")
	}
	return p.errAt(t.pos, "syntax error at or near \"%s\"", p.tokenText(t))
}

// tokenText is the token as written in the source, as PostgreSQL quotes it.
func (p *parser) tokenText(t token) string {
	if t.end > t.pos && t.end <= len(p.src) {
		return p.src[t.pos:t.end]
	}
	return t.text
}

// reserved words cannot be used as column aliases without AS or as bare table aliases.
var reserved = map[string]bool{
	"all": true, "and": true, "any": true, "as": true, "asc": true, "between": true, "by": true,
	"case": true, "cast": true, "check": true, "collate": true, "constraint": true, "create": true,
	"cross": true, "default": true, "desc": true, "distinct": true, "do": true, "else": true,
	"end": true, "except": true, "false": true, "fetch": true, "for": true, "foreign": true,
	"from": true, "full": true, "group": true, "having": true, "ilike": true, "in": true,
	"inner": true, "intersect": true, "into": true, "is": true, "join": true, "left": true,
	"like": true, "limit": true, "natural": true, "not": true, "null": true, "nulls": true,
	"offset": true, "on": true, "or": true, "order": true, "outer": true, "primary": true,
	"references": true, "returning": true, "right": true, "select": true, "set": true,
	"similar": true, "table": true, "then": true, "true": true, "union": true, "unique": true,
	"using": true, "values": true, "when": true, "where": true, "window": true, "with": true,
}

// ident reads an identifier (unquoted non-reserved word or quoted).
func (p *parser) ident() (string, error) {
	t := p.peek()
	switch {
	case t.kind == tQIdent:
		p.i++
		return t.text, nil
	case t.kind == tIdent && !reserved[t.text]:
		p.i++
		return t.text, nil
	}
	return "", p.unexpected()
}

// qualifiedName reads name or schema.name; the binder resolves it.
func (p *parser) qualifiedName() (ObjectName, int, error) {
	pos := p.peek().pos
	name, err := p.ident()
	if err != nil {
		return ObjectName{}, pos, err
	}
	if !p.acceptOp(".") {
		return ObjectName{Name: name}, pos, nil
	}
	n := ObjectName{Schema: name}
	n.Name, err = p.ident()
	return n, pos, err
}

// ParseObjectName reads a possibly qualified object name from text, as
// nextval('s.seq') and 's.t'::regclass do: unquoted parts fold to lower
// case, quoted ones keep their case.
func ParseObjectName(text string) (ObjectName, error) {
	toks, err := lex(text)
	if err != nil {
		return ObjectName{}, err
	}
	p := &parser{src: text, toks: toks}
	n, _, err := p.qualifiedName()
	if err == nil && p.peek().kind != tEOF {
		err = sqlerr.New(sqlerr.InvalidName, "invalid name syntax")
	}
	return n, err
}

// qualifiedCollation reads a collation name: "C", default, pg_catalog.default.
func (p *parser) qualifiedCollation() (string, int, error) {
	t := p.peek()
	if t.kind != tIdent && t.kind != tQIdent {
		return "", t.pos, p.unexpected()
	}
	p.i++
	if p.acceptOp(".") {
		n := p.peek()
		if n.kind != tIdent && n.kind != tQIdent {
			return "", t.pos, p.unexpected()
		}
		p.i++
		return n.text, t.pos, nil
	}
	return t.text, t.pos, nil
}

func (p *parser) statement() (Statement, error) {
	t := p.peek()
	if t.kind != tIdent {
		if t.kind == tOp && t.text == "(" {
			return p.selectStmt()
		}
		return nil, p.unexpected()
	}
	switch t.text {
	case "select", "values", "with":
		return p.selectStmt()
	case "insert":
		return p.insertStmt()
	case "update":
		return p.updateStmt()
	case "delete":
		return p.deleteStmt()
	case "create":
		return p.createStmt()
	case "truncate":
		return p.truncateStmt()
	case "grant", "revoke":
		return p.grantStmt()
	case "vacuum", "analyze", "analyse":
		return p.vacuumStmt()
	case "explain":
		return p.explainStmt()
	case "checkpoint":
		p.i++
		return &CheckpointStmt{}, nil
	case "shutdown":
		return p.shutdownStmt()
	case "declare":
		return p.declareStmt()
	case "prepare", "execute", "deallocate":
		return p.preparedStmt()
	case "fetch", "move":
		return p.fetchStmt()
	case "close":
		p.i++
		if p.acceptKw("all") {
			return &CloseStmt{All: true}, nil
		}
		name, err := p.ident()
		return &CloseStmt{Name: name}, err
	case "alter":
		return p.alterStmt()
	case "copy":
		return p.copyStmt()
	case "drop":
		return p.dropStmt()
	case "begin", "start":
		p.i++
		if t.text == "start" {
			if err := p.expectKw("transaction"); err != nil {
				return nil, err
			}
		} else {
			_ = p.acceptKw("transaction") || p.acceptKw("work")
		}
		isolation, err := p.transactionModes()
		if err != nil {
			return nil, err
		}
		return &TransactionStmt{Kind: "begin", Isolation: isolation}, nil
	case "commit", "end":
		p.i++
		_ = p.acceptKw("transaction") || p.acceptKw("work")
		return &TransactionStmt{Kind: "commit"}, nil
	case "rollback", "abort":
		p.i++
		_ = p.acceptKw("transaction") || p.acceptKw("work")
		return &TransactionStmt{Kind: "rollback"}, nil
	case "set":
		return p.setStmt()
	case "reset":
		p.i++
		if p.acceptKw("all") {
			return &DiscardStmt{What: "reset all"}, nil
		}
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		switch {
		case name == "role":
			return &SetStmt{Name: name, Reset: true}, nil
		case name == "session" && p.acceptKw("authorization"):
			return &SetStmt{Name: "session_authorization", Reset: true}, nil
		}
		return &SetStmt{Name: name, Value: "default", Values: []string{"default"}, Reset: true}, nil
	case "show":
		return p.showStmt()
	case "discard":
		p.i++
		for _, what := range []string{"all", "plans", "sequences", "temp", "temporary"} {
			if p.acceptKw(what) {
				return &DiscardStmt{What: strings.TrimSuffix(what, "orary")}, nil
			}
		}
	}
	return nil, p.unexpected()
}

// explainStmt parses EXPLAIN [ANALYZE] [VERBOSE] statement and EXPLAIN
// (option [value], ...) statement.
func (p *parser) explainStmt() (Statement, error) {
	p.i++
	e := &ExplainStmt{}
	if !p.acceptOp("(") {
		e.Analyze = p.acceptKw("analyze") || p.acceptKw("analyse")
		e.Verbose = p.acceptKw("verbose")
	} else {
		for {
			t := p.peek()
			if t.kind != tIdent {
				return nil, p.unexpected()
			}
			p.i++
			value := "true"
			if v := p.peek(); v.kind == tIdent || v.kind == tInt || v.kind == tString {
				value = strings.ToLower(p.advance().text)
			}
			on := value == "true" || value == "on" || value == "1"
			switch t.text {
			case "analyze", "analyse":
				e.Analyze = on
			case "verbose":
				e.Verbose = on
			case "costs", "buffers", "timing", "summary", "settings", "wal":
				// accepted for compatibility; the output has no such figures to switch
			case "format":
				if value != "text" {
					return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN format %q is not supported; use TEXT", value)
				}
			default:
				return nil, p.errAt(t.pos, "unrecognized EXPLAIN option \"%s\"", t.text)
			}
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	stmt, err := p.statement()
	e.Stmt = stmt
	return e, err
}

// transactionModes reads ISOLATION LEVEL ..., READ WRITE/ONLY and [NOT]
// DEFERRABLE and returns the isolation level named ("" when none).
func (p *parser) transactionModes() (string, error) {
	isolation := ""
	for {
		switch {
		case p.acceptKw("isolation", "level"):
			switch {
			case p.acceptKw("read", "committed"):
				isolation = "read committed"
			case p.acceptKw("read", "uncommitted"):
				isolation = "read uncommitted"
			case p.acceptKw("repeatable", "read"):
				isolation = "repeatable read"
			case p.acceptKw("serializable"):
				isolation = "serializable"
			default:
				return "", p.unexpected()
			}
		case p.acceptKw("read", "write"), p.acceptKw("read", "only"),
			p.acceptKw("deferrable"), p.acceptKw("not", "deferrable"):
		default:
			return isolation, nil
		}
		p.acceptOp(",")
	}
}

func (p *parser) setStmt() (Statement, error) {
	p.i++ // set
	if p.acceptKw("transaction") {
		isolation, err := p.transactionModes()
		if err != nil || isolation == "" {
			return nil, p.unexpected()
		}
		return &SetStmt{Name: "transaction_isolation", Value: isolation}, nil
	}
	if p.acceptKw("session", "characteristics", "as", "transaction") {
		isolation, err := p.transactionModes()
		if err != nil || isolation == "" {
			return nil, p.unexpected()
		}
		return &SetStmt{Name: "default_transaction_isolation", Value: isolation}, nil
	}
	session := p.acceptKw("session")
	local := !session && p.acceptKw("local")
	switch {
	case p.acceptKw("role"):
		return p.setRoleValue("role", "none", local)
	case session && p.acceptKw("authorization"), local && p.acceptKw("session", "authorization"):
		return p.setRoleValue("session_authorization", "default", local)
	}
	if p.acceptKw("time", "zone") {
		v, err := p.setValue()
		return &SetStmt{Name: "timezone", Value: strings.Join(v, ", "), Values: v, Local: local}, err
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	for p.acceptOp(".") {
		part, err := p.ident()
		if err != nil {
			return nil, err
		}
		name += "." + part
	}
	if !p.acceptOp("=") && !p.acceptKw("to") {
		return nil, p.unexpected()
	}
	v, err := p.setValue()
	return &SetStmt{Name: name, Value: strings.Join(v, ", "), Values: v, Local: local}, err
}

// setValue reads SET's value: a comma-separated list of words, strings and
// (signed) numbers.
func (p *parser) setValue() ([]string, error) {
	var parts []string
	for {
		t := p.peek()
		switch {
		case t.kind == tIdent || t.kind == tQIdent || t.kind == tString || t.kind == tInt || t.kind == tNum:
			p.i++
			parts = append(parts, t.text)
		case t.kind == tOp && (t.text == "-" || t.text == "+") && (p.peekAt(1).kind == tInt || p.peekAt(1).kind == tNum):
			p.i++
			sign := strings.TrimPrefix(t.text, "+")
			parts = append(parts, sign+p.advance().text)
		default:
			return nil, p.unexpected()
		}
		if !p.acceptOp(",") {
			return parts, nil
		}
	}
}

func (p *parser) hints() []Hint {
	var hints []Hint
	for p.peek().kind == tHint {
		hints = append(hints, parseHints(p.advance().text)...)
	}
	return hints
}

// parseHints reads NAME or NAME(arg, ...) items; unknown text is ignored, as
// hints are advice, never errors.
func parseHints(body string) []Hint {
	var hints []Hint
	toks, err := lex(body)
	if err != nil {
		return nil
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tIdent {
			continue
		}
		h := Hint{Name: strings.ToUpper(t.text)}
		if i+1 < len(toks) && toks[i+1].kind == tOp && toks[i+1].text == "(" {
			i += 2
			for ; i < len(toks) && !(toks[i].kind == tOp && toks[i].text == ")"); i++ {
				if toks[i].kind != tOp && toks[i].kind != tEOF {
					h.Args = append(h.Args, toks[i].text)
				}
			}
		}
		hints = append(hints, h)
	}
	return hints
}

// startsQuery reports whether a query (SELECT, VALUES or WITH) starts here.
func (p *parser) startsQuery() bool {
	return p.isKw("select") || p.isKw("values") || p.isKw("with")
}

func (p *parser) selectStmt() (*SelectStmt, error) {
	if p.acceptKw("with") {
		return p.withQuery()
	}
	left, err := p.selectTerm()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case p.acceptKw("union"):
			op = "union"
		case p.acceptKw("except"):
			op = "except"
		default:
			return p.selectTail(left)
		}
		all := p.acceptKw("all")
		if !all {
			p.acceptKw("distinct")
		}
		right, err := p.selectTerm()
		if err != nil {
			return nil, err
		}
		left = &SelectStmt{SetOp: op, SetAll: all, Left: left, Right: right}
	}
}

// withQuery parses the rest of WITH [RECURSIVE] name [(cols)] AS
// [[NOT] MATERIALIZED] (query), ... query.
func (p *parser) withQuery() (*SelectStmt, error) {
	recursive := p.acceptKw("recursive")
	var ctes []CTE
	for {
		cte := CTE{Recursive: recursive, Pos: p.peek().pos}
		var err error
		if cte.Name, err = p.ident(); err != nil {
			return nil, err
		}
		if p.isOp("(") {
			if cte.Columns, err = p.parenIdentList(); err != nil {
				return nil, err
			}
		}
		if err := p.expectKw("as"); err != nil {
			return nil, err
		}
		_ = p.acceptKw("materialized") || p.acceptKw("not", "materialized")
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		if cte.Select, err = p.selectStmt(); err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		ctes = append(ctes, cte)
		if !p.acceptOp(",") {
			break
		}
	}
	body, err := p.selectStmt()
	if err != nil {
		return nil, err
	}
	if body.With != nil { // WITH a AS (...) WITH b AS (...) is not SQL
		return nil, p.unexpected()
	}
	body.With = ctes
	return body, nil
}

// selectTerm parses INTERSECT chains, which bind tighter than UNION/EXCEPT.
func (p *parser) selectTerm() (*SelectStmt, error) {
	left, err := p.selectPrimary()
	if err != nil {
		return nil, err
	}
	for p.acceptKw("intersect") {
		all := p.acceptKw("all")
		if !all {
			p.acceptKw("distinct")
		}
		right, err := p.selectPrimary()
		if err != nil {
			return nil, err
		}
		left = &SelectStmt{SetOp: "intersect", SetAll: all, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) selectPrimary() (*SelectStmt, error) {
	if p.acceptOp("(") {
		s, err := p.selectStmt()
		if err != nil {
			return nil, err
		}
		return s, p.expectOp(")")
	}
	if p.acceptKw("values") {
		return p.valuesSelect()
	}
	if err := p.expectKw("select"); err != nil {
		return nil, err
	}
	s := &SelectStmt{Hints: p.hints()}
	if p.acceptKw("distinct") {
		s.Distinct = true
		if p.acceptKw("on") {
			if err := p.expectOp("("); err != nil {
				return nil, err
			}
			on, err := p.exprList()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			s.Distinct, s.DistinctOn = false, on
		}
	} else {
		p.acceptKw("all")
	}
	if !p.selectListEnds() {
		items, err := p.selectList()
		if err != nil {
			return nil, err
		}
		s.Targets = items
	}
	if p.acceptKw("from") {
		for {
			te, err := p.tableExpr()
			if err != nil {
				return nil, err
			}
			s.From = append(s.From, te)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	var err error
	if p.acceptKw("where") {
		if s.Where, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("group", "by") {
		if s.GroupBy, err = p.exprList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("having") {
		if s.Having, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("window") {
		for {
			def := WindowDef{Pos: p.peek().pos}
			if def.Name, err = p.ident(); err != nil {
				return nil, err
			}
			if err := p.expectKw("as"); err != nil {
				return nil, err
			}
			if def.Spec, err = p.windowSpec(); err != nil {
				return nil, err
			}
			s.Windows = append(s.Windows, def)
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return s, nil
}

func (p *parser) selectListEnds() bool {
	t := p.peek()
	if t.kind == tEOF || (t.kind == tOp && (t.text == ";" || t.text == ")")) {
		return true
	}
	if t.kind == tIdent {
		switch t.text {
		case "from", "where", "group", "having", "window", "order", "limit", "offset", "union", "intersect", "except":
			return true
		}
	}
	return false
}

// valuesSelect turns VALUES (..), (..) into a SELECT over a values list: the
// planner sees it as a SubqueryRef-free SelectStmt whose From is a ValuesRef.
func (p *parser) valuesSelect() (*SelectStmt, error) {
	rows, err := p.valuesRows()
	if err != nil {
		return nil, err
	}
	return &SelectStmt{From: []TableExpr{&ValuesRef{Rows: rows, Alias: "*VALUES*"}}, Targets: []SelectItem{{Star: true}}}, nil
}

func (p *parser) valuesRows() ([][]Expr, error) {
	var rows [][]Expr
	for {
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		row, err := p.exprList()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, p.errAt(row[0].Position(), "VALUES lists must all be the same length")
		}
		rows = append(rows, row)
		if !p.acceptOp(",") {
			return rows, nil
		}
	}
}

// selectTail parses ORDER BY, LIMIT, OFFSET and FETCH FIRST after a query.
// orderList parses expr [ASC|DESC] [NULLS FIRST|LAST], ...
func (p *parser) orderList() ([]OrderItem, error) {
	var items []OrderItem
	for {
		item := OrderItem{}
		var err error
		if item.Expr, err = p.expr(); err != nil {
			return nil, err
		}
		if p.acceptKw("desc") {
			item.Desc = true
		} else {
			p.acceptKw("asc")
		}
		if p.acceptKw("nulls") {
			first := p.acceptKw("first")
			if !first {
				if err := p.expectKw("last"); err != nil {
					return nil, err
				}
			}
			item.NullsFirst = &first
		}
		items = append(items, item)
		if !p.acceptOp(",") {
			return items, nil
		}
	}
}

func (p *parser) selectTail(s *SelectStmt) (*SelectStmt, error) {
	// A parenthesized query keeps its own ORDER BY, LIMIT and OFFSET; the
	// clauses after it fill in the missing ones, and a second one of a kind is
	// an error, as PostgreSQL's insertSelectOptions does.
	var err error
	if p.acceptKw("order", "by") {
		if s.OrderBy != nil {
			return nil, p.errAt(p.peek().pos, "multiple ORDER BY clauses not allowed")
		}
		if s.OrderBy, err = p.orderList(); err != nil {
			return nil, err
		}
	}
	hadLimit, hadOffset := s.Limit != nil, s.Offset != nil
	sawLimit, sawOffset := false, false // at most one of each after a query
	for {
		switch {
		case p.isKw("limit") || p.isKw("fetch"):
			if sawLimit {
				return nil, p.unexpected()
			}
			sawLimit = true
			var limit Expr
			if p.acceptKw("limit") {
				if p.acceptKw("all") {
					continue
				}
				if limit, err = p.expr(); err != nil {
					return nil, err
				}
			} else {
				p.i++ // fetch
				if !p.acceptKw("first") && !p.acceptKw("next") {
					return nil, p.unexpected()
				}
				limit = &Literal{Value: types.NewInt(1), Type: types.TInt8, Pos: p.peek().pos}
				if !p.isKw("row") && !p.isKw("rows") {
					if limit, err = p.fetchCount(); err != nil {
						return nil, err
					}
				}
				if !p.acceptKw("rows") && !p.acceptKw("row") {
					return nil, p.unexpected()
				}
				if err := p.expectKw("only"); err != nil {
					return nil, err
				}
			}
			if hadLimit {
				return nil, p.errAt(limit.Position(), "multiple LIMIT clauses not allowed")
			}
			s.Limit = limit
		case p.isKw("offset"):
			if sawOffset {
				return nil, p.unexpected()
			}
			sawOffset = true
			p.i++
			off, err := p.expr()
			if err != nil {
				return nil, err
			}
			if hadOffset {
				return nil, p.errAt(off.Position(), "multiple OFFSET clauses not allowed")
			}
			s.Offset = off
			_ = p.acceptKw("rows") || p.acceptKw("row")
		default:
			return s, nil
		}
	}
}

// fetchCount reads the count of FETCH FIRST n ROWS: a constant, a parameter or
// a parenthesized expression, with an optional sign.
func (p *parser) fetchCount() (Expr, error) {
	if t := p.peek(); t.kind == tOp && (t.text == "-" || t.text == "+") {
		p.i++
		x, err := p.primary()
		if err != nil {
			return nil, err
		}
		return p.negateLiteral(t, x), nil
	}
	return p.primary()
}

func (p *parser) selectList() ([]SelectItem, error) {
	var items []SelectItem
	for {
		pos := p.peek().pos
		if p.acceptOp("*") {
			items = append(items, SelectItem{Star: true, Pos: pos})
		} else if p.isName(0) && p.isOpAt(1, ".") && p.isOpAt(2, "*") {
			items = append(items, SelectItem{Star: true, StarTable: p.advance().text, Pos: pos})
			p.i += 2
		} else if p.isName(0) && p.isOpAt(1, ".") && p.isName(2) && p.isOpAt(3, ".") && p.isOpAt(4, "*") {
			items = append(items, SelectItem{Star: true, StarSchema: p.peek().text, StarTable: p.peekAt(2).text, Pos: pos})
			p.i += 5
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			item := SelectItem{Expr: e, Pos: pos}
			if p.acceptKw("as") {
				if item.Alias, err = p.aliasName(); err != nil {
					return nil, err
				}
			} else if t := p.peek(); t.kind == tQIdent || (t.kind == tIdent && !reserved[t.text]) {
				item.Alias = p.advance().text
			}
			items = append(items, item)
		}
		if !p.acceptOp(",") {
			return items, nil
		}
	}
}

// aliasName accepts any word after AS, reserved or not, as PostgreSQL does.
func (p *parser) aliasName() (string, error) {
	t := p.peek()
	if t.kind == tIdent || t.kind == tQIdent {
		p.i++
		return t.text, nil
	}
	return "", p.unexpected()
}

func (p *parser) optAlias() (string, error) {
	if p.acceptKw("as") {
		return p.aliasName()
	}
	if t := p.peek(); t.kind == tQIdent || (t.kind == tIdent && !reserved[t.text]) {
		p.i++
		return t.text, nil
	}
	return "", nil
}

func (p *parser) tableExpr() (TableExpr, error) {
	left, err := p.tablePrimary()
	if err != nil {
		return nil, err
	}
	for {
		j := &JoinExpr{Left: left}
		switch {
		case p.acceptKw("cross", "join"):
			j.Kind = "cross"
		case p.acceptKw("join"), p.acceptKw("inner", "join"):
			j.Kind = "inner"
		case p.acceptKw("left", "join"), p.acceptKw("left", "outer", "join"):
			j.Kind = "left"
		case p.acceptKw("right", "join"), p.acceptKw("right", "outer", "join"):
			j.Kind = "right"
		case p.acceptKw("full", "join"), p.acceptKw("full", "outer", "join"):
			j.Kind = "full"
		case p.acceptKw("natural"):
			j.Natural = true
			switch {
			case p.acceptKw("join"), p.acceptKw("inner", "join"):
				j.Kind = "inner"
			case p.acceptKw("left", "join"), p.acceptKw("left", "outer", "join"):
				j.Kind = "left"
			case p.acceptKw("right", "join"), p.acceptKw("right", "outer", "join"):
				j.Kind = "right"
			case p.acceptKw("full", "join"), p.acceptKw("full", "outer", "join"):
				j.Kind = "full"
			default:
				return nil, p.unexpected()
			}
		default:
			return left, nil
		}
		if j.Right, err = p.tablePrimary(); err != nil {
			return nil, err
		}
		if j.Kind != "cross" && !j.Natural {
			switch {
			case p.acceptKw("on"):
				if j.On, err = p.expr(); err != nil {
					return nil, err
				}
			case p.acceptKw("using"):
				if err := p.expectOp("("); err != nil {
					return nil, err
				}
				if j.Using, err = p.identList(); err != nil {
					return nil, err
				}
				if err := p.expectOp(")"); err != nil {
					return nil, err
				}
			default:
				return nil, p.unexpected()
			}
		}
		left = j
	}
}

func (p *parser) tablePrimary() (TableExpr, error) {
	if p.isKw("lateral") && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
		p.i++
		te, err := p.tablePrimary()
		if err != nil {
			return nil, err
		}
		sub, ok := te.(*SubqueryRef)
		if !ok {
			return nil, p.unexpected()
		}
		sub.Lateral = true
		return sub, nil
	}
	open := p.peek().pos
	if p.acceptOp("(") {
		if p.startsQuery() || p.isOp("(") {
			sel, err := p.selectStmt()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			alias, err := p.optAlias()
			if err != nil {
				return nil, err
			}
			if alias == "" {
				return nil, p.errAt(open, "subquery in FROM must have an alias")
			}
			cols, err := p.colAliases()
			if err != nil {
				return nil, err
			}
			return &SubqueryRef{Select: sel, Alias: alias, ColAliases: cols}, nil
		}
		te, err := p.tableExpr()
		if err != nil {
			return nil, err
		}
		return te, p.expectOp(")")
	}
	name, pos, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	var args []Expr
	var named map[string]Expr
	isFunc := p.acceptOp("(")
	if isFunc && !p.isOp(")") {
		if args, named, err = p.fromFuncArgs(); err != nil {
			return nil, err
		}
	}
	ordinality := false
	if isFunc {
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		ordinality = p.acceptKw("with", "ordinality")
	}
	alias, err := p.optAlias()
	if err != nil {
		return nil, err
	}
	var cols []string
	if alias != "" {
		if cols, err = p.colAliases(); err != nil {
			return nil, err
		}
	}
	if isFunc {
		if name.Schema != "" && name.Schema != "pg_catalog" { // the functions are all built in
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name).WithPosition(charPos(p.src, pos))
		}
		return &FuncRef{Name: name.Name, Args: args, Named: named, Ordinality: ordinality, Alias: alias, ColAliases: cols, Pos: pos}, nil
	}
	return &TableRef{Name: name, Alias: alias, ColAliases: cols, Pos: pos}, nil
}

// colAliases reads an optional (a, b, ...) after a FROM item's alias.
func (p *parser) colAliases() ([]string, error) {
	if !p.isOp("(") {
		return nil, nil
	}
	return p.parenIdentList()
}

func (p *parser) identList() ([]string, error) {
	var names []string
	for {
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		names = append(names, n)
		if !p.acceptOp(",") {
			return names, nil
		}
	}
}

// fromFuncArgs parses the arguments of a function in FROM: positional ones,
// then any named ones written name => value (read_csv's header => true).
func (p *parser) fromFuncArgs() ([]Expr, map[string]Expr, error) {
	var args []Expr
	var named map[string]Expr
	for {
		if k := p.peek().kind; (k == tIdent || k == tQIdent) && (p.isOpAt(1, "=>") || p.isOpAt(1, "=") && p.isOpAt(2, ">")) {
			name, _ := p.ident()
			if !p.acceptOp("=>") {
				p.i += 2
			}
			e, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			if named == nil {
				named = map[string]Expr{}
			}
			named[name] = e
		} else if named != nil {
			return nil, nil, sqlerr.New(sqlerr.SyntaxError, "positional argument cannot follow named argument").WithPosition(charPos(p.src, p.peek().pos))
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			args = append(args, e)
		}
		if !p.acceptOp(",") {
			return args, named, nil
		}
	}
}

func (p *parser) exprList() ([]Expr, error) {
	var list []Expr
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.acceptOp(",") {
			return list, nil
		}
	}
}

func (p *parser) insertStmt() (Statement, error) {
	p.i++ // insert
	s := &InsertStmt{Hints: p.hints()}
	if err := p.expectKw("into"); err != nil {
		return nil, err
	}
	var err error
	if s.Table, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.acceptKw("as") {
		if s.Alias, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if p.isOp("(") && !(p.peekAt(1).kind == tIdent && (p.peekAt(1).text == "select" || p.peekAt(1).text == "values")) {
		p.i++
		if s.Columns, err = p.identList(); err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	switch {
	case s.Columns == nil && p.acceptKw("default", "values"):
		s.Values = [][]Expr{{}}
	case p.acceptKw("values"):
		if s.Values, err = p.valuesRowsWithDefault(); err != nil {
			return nil, err
		}
	default:
		if s.Select, err = p.selectStmt(); err != nil {
			return nil, err
		}
	}
	if p.isKw("on") {
		if s.OnConflict, err = p.onConflict(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("returning") {
		if s.Returning, err = p.selectList(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// valuesRowsWithDefault is valuesRows where DEFAULT may stand for a value.
func (p *parser) valuesRowsWithDefault() ([][]Expr, error) {
	var rows [][]Expr
	for {
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		var row []Expr
		for {
			if p.isKw("default") {
				row = append(row, &DefaultExpr{Pos: p.advance().pos})
			} else {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				row = append(row, e)
			}
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, p.errAt(row[0].Position(), "VALUES lists must all be the same length")
		}
		rows = append(rows, row)
		if !p.acceptOp(",") {
			return rows, nil
		}
	}
}

func (p *parser) updateStmt() (Statement, error) {
	p.i++ // update
	s := &UpdateStmt{Hints: p.hints()}
	var err error
	if s.Table, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if !p.isKw("set") {
		if s.Alias, err = p.optAlias(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("set"); err != nil {
		return nil, err
	}
	if s.Set, err = p.setClauses(); err != nil {
		return nil, err
	}
	if p.acceptKw("where") {
		if s.Where, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("returning") {
		if s.Returning, err = p.selectList(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) deleteStmt() (Statement, error) {
	p.i++ // delete
	s := &DeleteStmt{Hints: p.hints()}
	if err := p.expectKw("from"); err != nil {
		return nil, err
	}
	var err error
	if s.Table, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if s.Alias, err = p.optAlias(); err != nil {
		return nil, err
	}
	if p.acceptKw("where") {
		if s.Where, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("returning") {
		if s.Returning, err = p.selectList(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) createStmt() (Statement, error) {
	p.i++ // create
	if p.isKw("role") || p.isKw("user") {
		return p.createRole()
	}
	if p.acceptKw("schema") {
		return p.createSchema()
	}
	orReplace := p.acceptKw("or", "replace")
	p.acceptKw("temporary")
	p.acceptKw("temp")
	if p.acceptKw("view") {
		return p.createView(orReplace)
	}
	if !orReplace && (p.isKw("index") || p.isKw("unique")) {
		return p.createIndex()
	}
	if !orReplace && p.acceptKw("sequence") {
		s := &CreateSequenceStmt{IfNotExists: p.acceptKw("if", "not", "exists")}
		var err error
		if s.Name, _, err = p.qualifiedName(); err != nil {
			return nil, err
		}
		s.Options, err = p.sequenceOptions()
		return s, err
	}
	if orReplace || !p.acceptKw("table") {
		return nil, p.unexpected()
	}
	s := &CreateTableStmt{}
	if p.acceptKw("if", "not", "exists") {
		s.IfNotExists = true
	}
	var err error
	if s.Name, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	// CREATE TABLE name [(cols)] AS query
	if p.isKw("as") || (p.isOp("(") && p.isCreateAs()) {
		if p.isOp("(") {
			if s.AsColumns, err = p.parenIdentList(); err != nil {
				return nil, err
			}
		}
		if err := p.expectKw("as"); err != nil {
			return nil, err
		}
		if s.As, err = p.selectStmt(); err != nil {
			return nil, err
		}
		if p.acceptKw("with", "no", "data") {
			s.NoData = true
		} else {
			p.acceptKw("with", "data")
		}
		return s, nil
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for {
		var constraint string
		if p.acceptKw("constraint") {
			if constraint, err = p.ident(); err != nil {
				return nil, err
			}
		}
		switch {
		case p.isKw("check"):
			c, err := p.checkDef(constraint)
			if err != nil {
				return nil, err
			}
			s.Checks = append(s.Checks, c)
		case p.isKw("foreign"):
			fk, err := p.foreignKey(constraint)
			if err != nil {
				return nil, err
			}
			s.ForeignKeys = append(s.ForeignKeys, fk)
		case p.isKw("primary") && p.peekAt(1).kind == tIdent && p.peekAt(1).text == "key":
			pkPos := p.peek().pos
			p.i += 2
			if s.PrimaryKey != nil {
				return nil, sqlerr.New(sqlerr.InvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", s.Name).WithPosition(charPos(p.src, pkPos))
			}
			if s.PrimaryKey, err = p.parenIdentList(); err != nil {
				return nil, err
			}
		case p.acceptKw("unique"):
			cols, err := p.parenIdentList()
			if err != nil {
				return nil, err
			}
			s.Unique = append(s.Unique, cols)
		default:
			col, err := p.columnDef()
			if err != nil {
				return nil, err
			}
			s.Columns = append(s.Columns, col)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	// WITH (fillfactor = 100, ...): storage parameters are accepted; they
	// tune PostgreSQL's heap, which RustyDB's storage does not share.
	if p.acceptKw("with") {
		if _, err := p.options(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// options reads ( name [=] [value], ... ), the option list of WITH and COPY.
// A name without a value is "true".
func (p *parser) options() (map[string]string, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	opts := map[string]string{}
	for {
		t := p.peek()
		if t.kind != tIdent && t.kind != tQIdent {
			return nil, p.unexpected()
		}
		p.i++
		name := t.text
		p.acceptOp("=")
		value := "true"
		if v := p.peek(); v.kind == tIdent || v.kind == tString || v.kind == tInt || v.kind == tNum || v.kind == tQIdent {
			p.i++
			value = v.text
		}
		opts[name] = value
		if !p.acceptOp(",") {
			break
		}
	}
	return opts, p.expectOp(")")
}

func (p *parser) tableList() ([]ObjectName, error) {
	var names []ObjectName
	for {
		name, _, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		if !p.acceptOp(",") {
			return names, nil
		}
	}
}

func (p *parser) truncateStmt() (Statement, error) {
	p.i++ // truncate
	p.acceptKw("table")
	p.acceptKw("only")
	names, err := p.tableList()
	if err != nil {
		return nil, err
	}
	s := &TruncateStmt{Names: names}
	switch {
	case p.acceptKw("restart", "identity"):
		s.RestartIdentity = true
	case p.acceptKw("continue", "identity"):
	}
	switch {
	case p.acceptKw("cascade"):
		s.Cascade = true
	case p.acceptKw("restrict"):
	}
	return s, nil
}

// vacuumStmt parses VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [tables],
// VACUUM (options) [tables] and ANALYZE [VERBOSE] [tables].
func (p *parser) vacuumStmt() (Statement, error) {
	s := &VacuumStmt{Vacuum: p.peek().text == "vacuum"}
	p.i++
	if p.isOp("(") {
		opts, err := p.options()
		if err != nil {
			return nil, err
		}
		_, s.Analyze = opts["analyze"]
	}
	for {
		switch {
		case p.acceptKw("full"), p.acceptKw("freeze"), p.acceptKw("verbose"):
		case p.acceptKw("analyze"), p.acceptKw("analyse"):
			s.Analyze = true
		default:
			if !s.Vacuum {
				s.Analyze = true
			}
			if p.peek().kind == tIdent && !reserved[p.peek().text] || p.peek().kind == tQIdent {
				var err error
				if s.Tables, err = p.tableList(); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
	}
}

// alterStmt parses ALTER SYSTEM CHECKPOINT, ALTER SYSTEM SET | RESET
// (see alterSystem), ALTER SYSTEM ENABLE | DISABLE RESTRICTED SESSION,
// ALTER SYSTEM KILL SESSION | CANCEL SQL (see alterSystemSession), ALTER
// SESSION SET (as SET), ALTER DATABASE OPEN, ALTER TABLE [IF EXISTS]
// [ONLY] t with one action: ADD [CONSTRAINT name] PRIMARY KEY | UNIQUE |
// CHECK | FOREIGN KEY, ADD [COLUMN], DROP [COLUMN], DROP CONSTRAINT,
// RENAME [COLUMN] a TO b, RENAME TO t2, ALTER [COLUMN] c SET/DROP NOT NULL
// or DEFAULT, SET SCHEMA s; and ALTER VIEW | SEQUENCE [IF EXISTS] name SET
// SCHEMA s.
func (p *parser) alterStmt() (Statement, error) {
	p.i++ // alter
	if p.acceptKw("system", "checkpoint") {
		return &CheckpointStmt{}, nil
	}
	if p.isKw("system") && (p.isKwAt(1, "set") || p.isKwAt(1, "reset")) {
		p.i++
		return p.alterSystem()
	}
	if p.isKw("system") && (p.isKwAt(1, "enable") || p.isKwAt(1, "disable")) {
		p.i++
		return p.restrictedSession()
	}
	if p.isKw("session") && p.isKwAt(1, "set") {
		p.i++
		return p.setStmt() // ALTER SESSION SET is SET
	}
	if st, ok, err := p.alterSystemSession(); ok {
		return st, err
	}
	if p.acceptKw("database") {
		return p.alterDatabase()
	}
	if p.acceptKw("default", "privileges") {
		return p.alterDefaultPrivileges()
	}
	if p.isKw("role") || p.isKw("user") {
		return p.alterRole()
	}
	if p.acceptKw("schema") {
		return p.alterSchema()
	}
	s := &AlterTableStmt{Object: "table"}
	switch {
	case p.acceptKw("view"):
		s.Object = "view"
	case p.acceptKw("sequence"):
		s.Object = "sequence"
	default:
		if err := p.expectKw("table"); err != nil {
			return nil, err
		}
	}
	s.IfExists = p.acceptKw("if", "exists")
	if s.Object == "table" {
		p.acceptKw("only")
	}
	var err error
	if s.Table, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	a := &s.Action
	if p.acceptKw("set", "schema") {
		a.SetSchema, err = p.ident()
		return s, err
	}
	if p.acceptKw("owner", "to") {
		a.SetOwner = true
		a.OwnerTo, err = p.roleSpec()
		return s, err
	}
	if s.Object != "table" {
		return nil, p.unexpected()
	}
	switch {
	case p.acceptKw("add"):
		var constraint string
		named := p.acceptKw("constraint")
		if named {
			if constraint, err = p.ident(); err != nil {
				return nil, err
			}
		}
		switch {
		case p.acceptKw("primary", "key"):
			a.AddKey = &KeyDef{Name: constraint, PrimaryKey: true}
			a.AddKey.Columns, err = p.parenIdentList()
		case p.acceptKw("unique"):
			a.AddKey = &KeyDef{Name: constraint}
			a.AddKey.Columns, err = p.parenIdentList()
		case p.isKw("check"):
			var c CheckDef
			c, err = p.checkDef(constraint)
			a.AddCheck = &c
		case p.isKw("foreign"):
			var fk ForeignKeyDef
			fk, err = p.foreignKey(constraint)
			a.AddForeignKey = &fk
		case named:
			return nil, p.unexpected()
		default:
			p.acceptKw("column")
			a.AddColumnIfAbsent = p.acceptKw("if", "not", "exists")
			var c ColumnDef
			c, err = p.columnDef()
			a.AddColumn = &c
		}
	case p.acceptKw("drop"):
		if p.acceptKw("constraint") {
			a.DropIfExists = p.acceptKw("if", "exists")
			a.DropConstraint, err = p.ident()
		} else {
			p.acceptKw("column")
			a.DropIfExists = p.acceptKw("if", "exists")
			a.DropColumn, err = p.ident()
		}
		_ = p.acceptKw("cascade") || p.acceptKw("restrict")
	case p.acceptKw("rename"):
		if p.acceptKw("to") {
			a.RenameTo, err = p.ident()
			break
		}
		p.acceptKw("column")
		if a.RenameColumn[0], err = p.ident(); err != nil {
			return nil, err
		}
		if err := p.expectKw("to"); err != nil {
			return nil, err
		}
		a.RenameColumn[1], err = p.ident()
	case p.acceptKw("alter"):
		p.acceptKw("column")
		ac := &AlterColumn{}
		if ac.Column, err = p.ident(); err != nil {
			return nil, err
		}
		switch {
		case p.acceptKw("set", "not", "null"):
			ac.SetNotNull = true
		case p.acceptKw("drop", "not", "null"):
			ac.DropNotNull = true
		case p.acceptKw("set", "default"):
			start := p.peek().pos
			if ac.SetDefault, err = p.exprPrec(precCmp); err == nil {
				ac.SetDefaultText = p.src[start:p.toks[p.i-1].end]
			}
		case p.acceptKw("drop", "default"):
			ac.DropDefault = true
		default:
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ALTER COLUMN supports SET / DROP NOT NULL and SET / DROP DEFAULT").
				WithPosition(charPos(p.src, p.peek().pos))
		}
		a.AlterColumn = ac
	default:
		return nil, p.unexpected()
	}
	return s, err
}

// copyStmt parses COPY t [(cols)] FROM STDIN | 'file', COPY t [(cols)] |
// (query) TO STDOUT | 'file', then [[WITH] (options)] or the older
// [WITH] [BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 'n'] [CSV [HEADER]
// [QUOTE [AS] 'q'] [ESCAPE [AS] 'e']] [ENCODING 'enc'] [FREEZE].
func (p *parser) copyStmt() (Statement, error) {
	p.i++ // copy
	s := &CopyStmt{Options: map[string]string{}}
	var err error
	if p.acceptOp("(") {
		if s.Query, err = p.selectStmt(); err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	} else {
		if s.Table, _, err = p.qualifiedName(); err != nil {
			return nil, err
		}
		if p.isOp("(") {
			if s.Columns, err = p.parenIdentList(); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case s.Query == nil && p.acceptKw("from"):
		s.From = true
		if p.acceptKw("stdin") {
			break
		}
		if err := p.copyFile(s); err != nil {
			return nil, err
		}
	case p.acceptKw("to"):
		if p.acceptKw("stdout") {
			break
		}
		if err := p.copyFile(s); err != nil {
			return nil, err
		}
	default:
		return nil, p.unexpected()
	}
	p.acceptKw("with")
	if p.isOp("(") {
		if s.Options, err = p.options(); err != nil {
			return nil, err
		}
		return s, nil
	}
	for {
		var key string
		switch {
		case p.acceptKw("binary"):
			s.Options["format"] = "binary"
			continue
		case p.acceptKw("csv"):
			s.Options["format"] = "csv"
			continue
		case p.acceptKw("header"):
			s.Options["header"] = "true"
			continue
		case p.acceptKw("freeze"):
			s.Options["freeze"] = "true"
			continue
		case p.acceptKw("delimiter"):
			key = "delimiter"
		case p.acceptKw("null"):
			key = "null"
		case p.acceptKw("quote"):
			key = "quote"
		case p.acceptKw("escape"):
			key = "escape"
		case p.acceptKw("encoding"):
			key = "encoding"
		default:
			return s, nil
		}
		p.acceptKw("as")
		t := p.peek()
		if t.kind != tString {
			return nil, p.unexpected()
		}
		p.i++
		s.Options[key] = t.text
	}
}

// copyFile reads the 'file' of COPY FROM / TO into s.
func (p *parser) copyFile(s *CopyStmt) error {
	t := p.peek()
	if p.isKw("program") {
		dir := "TO"
		if s.From {
			dir = "FROM"
		}
		return sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s PROGRAM is not supported; use a file or STDIN / STDOUT", dir).
			WithPosition(charPos(p.src, t.pos))
	}
	if t.kind != tString {
		return p.unexpected()
	}
	p.i++
	s.IsFile, s.File = true, t.text
	return nil
}

func (p *parser) parenIdentList() ([]string, error) {
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	names, err := p.identList()
	if err != nil {
		return nil, err
	}
	return names, p.expectOp(")")
}

func (p *parser) columnDef() (ColumnDef, error) {
	c := ColumnDef{Pos: p.peek().pos}
	var err error
	if c.Name, err = p.ident(); err != nil {
		return c, err
	}
	// serial types: an integer column filled from its own sequence
	if t := p.peek(); t.kind == tIdent {
		serial := map[string]types.T{"serial": types.TInt4, "serial4": types.TInt4, "bigserial": types.TInt8,
			"serial8": types.TInt8, "smallserial": types.TInt2, "serial2": types.TInt2}
		if typ, ok := serial[t.text]; ok {
			p.i++
			c.Type, c.Serial, c.NotNull = typ, true, true
		}
	}
	if !c.Serial {
		if c.Type, err = p.typeName(); err != nil {
			return c, err
		}
	}
	for {
		var constraint string
		if p.acceptKw("constraint") {
			if constraint, err = p.ident(); err != nil {
				return c, err
			}
		}
		switch {
		case p.isKw("check"):
			ck, err := p.checkDef(constraint)
			if err != nil {
				return c, err
			}
			c.Checks = append(c.Checks, ck)
		case p.isKw("references"):
			fk := &ForeignKeyDef{Name: constraint, Pos: p.peek().pos}
			if err := p.references(fk); err != nil {
				return c, err
			}
			c.References = fk
		case p.acceptKw("not", "null"):
			c.NotNull = true
		case p.acceptKw("null"):
		case p.acceptKw("primary", "key"):
			c.PrimaryKey = true
		case p.acceptKw("unique"):
			c.Unique = true
		case p.acceptKw("default"):
			start := p.peek().pos
			if c.Default, err = p.exprPrec(precCmp); err != nil { // b_expr: no AND/OR/NOT/IS
				return c, err
			}
			c.DefaultText = p.src[start:p.toks[p.i-1].end]
		case p.acceptKw("generated"):
			switch {
			case p.acceptKw("always"):
				c.Identity = "always"
			case p.acceptKw("by", "default"):
				c.Identity = "by default"
			default:
				return c, p.unexpected()
			}
			if err := p.expectKw("as"); err != nil {
				return c, err
			}
			if err := p.expectKw("identity"); err != nil {
				return c, err
			}
			if p.acceptOp("(") {
				if c.IdentityOptions, err = p.sequenceOptions(); err != nil {
					return c, err
				}
				if err := p.expectOp(")"); err != nil {
					return c, err
				}
			}
			c.NotNull = true
		default:
			return c, nil
		}
	}
}

// checkDef reads CHECK (expr), keeping the expression's source text.
func (p *parser) checkDef(name string) (CheckDef, error) {
	p.i++ // check
	if err := p.expectOp("("); err != nil {
		return CheckDef{}, err
	}
	start := p.peek().pos
	e, err := p.expr()
	if err != nil {
		return CheckDef{}, err
	}
	c := CheckDef{Name: name, Expr: e, Text: p.src[start:p.toks[p.i-1].end]}
	return c, p.expectOp(")")
}

// foreignKey reads FOREIGN KEY (cols) REFERENCES ...
func (p *parser) foreignKey(name string) (ForeignKeyDef, error) {
	fk := ForeignKeyDef{Name: name, Pos: p.peek().pos}
	if err := p.expectKw("foreign"); err != nil {
		return fk, err
	}
	if err := p.expectKw("key"); err != nil {
		return fk, err
	}
	var err error
	if fk.Columns, err = p.parenIdentList(); err != nil {
		return fk, err
	}
	return fk, p.references(&fk)
}

// references reads REFERENCES table [(cols)] [MATCH SIMPLE|FULL]
// [ON DELETE action] [ON UPDATE action].
func (p *parser) references(fk *ForeignKeyDef) error {
	if err := p.expectKw("references"); err != nil {
		return err
	}
	var err error
	if fk.RefTable, _, err = p.qualifiedName(); err != nil {
		return err
	}
	if p.isOp("(") {
		if fk.RefColumns, err = p.parenIdentList(); err != nil {
			return err
		}
	}
	_ = p.acceptKw("match", "simple") || p.acceptKw("match", "full")
	fk.OnDelete, fk.OnUpdate = "no action", "no action"
	for p.acceptKw("on") {
		target := &fk.OnDelete
		switch {
		case p.acceptKw("delete"):
		case p.acceptKw("update"):
			target = &fk.OnUpdate
		default:
			return p.unexpected()
		}
		switch {
		case p.acceptKw("cascade"):
			*target = "cascade"
		case p.acceptKw("restrict"):
			*target = "restrict"
		case p.acceptKw("no", "action"):
			*target = "no action"
		case p.acceptKw("set", "null"):
			*target = "set null"
		case p.acceptKw("set", "default"):
			*target = "set default"
		default:
			return p.unexpected()
		}
	}
	_ = p.acceptKw("deferrable") || p.acceptKw("not", "deferrable")
	_ = p.acceptKw("initially", "immediate")
	return nil
}

// sequenceOptions reads START [WITH] n, INCREMENT [BY] n, MINVALUE n,
// MAXVALUE n, NO MINVALUE/MAXVALUE, [NO] CYCLE, CACHE n.
func (p *parser) sequenceOptions() (SequenceOptions, error) {
	var o SequenceOptions
	num := func() (*int64, error) {
		neg := p.acceptOp("-")
		t := p.peek()
		if t.kind != tInt {
			return nil, p.unexpected()
		}
		p.i++
		v, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errAt(t.pos, "value %s is out of range for a sequence", t.text)
		}
		if neg {
			v = -v
		}
		return &v, nil
	}
	var err error
	for {
		switch {
		case p.acceptKw("start"):
			p.acceptKw("with")
			if o.Start, err = num(); err != nil {
				return o, err
			}
		case p.acceptKw("increment"):
			p.acceptKw("by")
			if o.Increment, err = num(); err != nil {
				return o, err
			}
		case p.acceptKw("minvalue"):
			if o.Min, err = num(); err != nil {
				return o, err
			}
		case p.acceptKw("maxvalue"):
			if o.Max, err = num(); err != nil {
				return o, err
			}
		case p.acceptKw("cache"):
			if _, err = num(); err != nil {
				return o, err
			}
		case p.acceptKw("no", "minvalue"), p.acceptKw("no", "maxvalue"), p.acceptKw("no", "cycle"):
		case p.acceptKw("cycle"):
			o.Cycle = true
		case p.acceptKw("as"):
			if _, err := p.typeName(); err != nil {
				return o, err
			}
		default:
			return o, nil
		}
	}
}

// typeName parses a type with optional modifiers and a trailing [] (rejected for now).
func (p *parser) typeName() (types.T, error) {
	pos := p.peek().pos
	t := p.peek()
	if t.kind != tIdent && t.kind != tQIdent {
		return types.T{}, p.unexpected()
	}
	p.i++
	name := t.text
	if (name == "pg_catalog" || name == "public") && p.acceptOp(".") { // pg_catalog.int4
		if t = p.peek(); t.kind != tIdent && t.kind != tQIdent {
			return types.T{}, p.unexpected()
		}
		p.i++
		name = t.text
	}
	switch {
	case name == "double" && p.acceptKw("precision"):
		name = "double precision"
	case (name == "character" || name == "char") && p.acceptKw("varying"):
		name = "character varying"
	case name == "timestamp" || name == "timestamptz" || name == "time":
		if p.isOp("(") { // timestamp(p), time(p): precision is accepted and ignored
			if _, _, err := p.typeMods(); err != nil {
				return types.T{}, err
			}
		}
		if name == "timestamptz" || p.acceptKw("without", "time", "zone") {
			break
		}
		if p.acceptKw("with", "time", "zone") {
			if name == "time" {
				return types.T{}, sqlerr.New(sqlerr.FeatureNotSupported, "type time with time zone is not supported yet").WithPosition(charPos(p.src, pos))
			}
			name = "timestamptz"
		}
	}
	var mods []int32
	var modPos []int
	parenPos := p.peek().pos
	if p.isOp("(") {
		var err error
		if mods, modPos, err = p.typeMods(); err != nil {
			return types.T{}, err
		}
	}
	typ, ok := types.Lookup(name, mods)
	if !ok || (t.kind == tQIdent && name != strings.ToLower(name)) { // "Int" is not int
		return types.T{}, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", name).WithPosition(charPos(p.src, pos))
	}
	if mods != nil {
		if err := p.checkTypmod(typ, name, t.kind == tIdent, mods, modPos, pos, parenPos); err != nil {
			return types.T{}, err
		}
	}
	// t[], t[n] (the size is not enforced, as in PostgreSQL) or t ARRAY[n]
	array := p.acceptKw("array")
	for p.isOp("[") || array && p.isOp("[") {
		p.i++
		if p.peek().kind == tInt {
			p.i++
		}
		if err := p.expectOp("]"); err != nil {
			return types.T{}, err
		}
		array = true
	}
	if array {
		if typ.ID == types.Array {
			return types.T{}, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported").WithPosition(charPos(p.src, pos))
		}
		typ = types.ArrayOf(typ)
	}
	return typ, nil
}

// checkTypmod validates a type's modifiers as PostgreSQL's typmodin
// functions and grammar do. pos is the type name's offset, parenPos the "(".
func (p *parser) checkTypmod(t types.T, name string, keyword bool, mods []int32, modPos []int, pos, parenPos int) error {
	invalid := func(format string, args ...any) error {
		return sqlerr.New(sqlerr.InvalidParameterValue, format, args...).WithPosition(charPos(p.src, pos))
	}
	switch {
	case t.ID == types.Numeric:
		switch {
		case len(mods) > 2:
			return invalid("invalid NUMERIC type modifier")
		case mods[0] < 1 || mods[0] > 1000:
			return invalid("NUMERIC precision %d must be between 1 and 1000", mods[0])
		case len(mods) == 2 && (mods[1] < -1000 || mods[1] > 1000): // PostgreSQL 15 allows scale > precision
			return invalid("NUMERIC scale %d must be between -1000 and 1000", mods[1])
		}
	case t.ID == types.Varchar || t.ID == types.Char || name == "float":
		if len(mods) > 1 {
			comma := strings.LastIndexByte(p.src[:modPos[1]], ',')
			return p.errAt(comma, "syntax error at or near \",\"") // the grammar takes one modifier
		}
		typName := "varchar"
		if t.ID == types.Char {
			typName = "char"
		}
		switch {
		case name == "float" && mods[0] < 1:
			return sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be at least 1 bit").WithPosition(charPos(p.src, modPos[0]))
		case name == "float" && mods[0] > 53:
			return sqlerr.New(sqlerr.InvalidParameterValue, "precision for type float must be less than 54 bits").WithPosition(charPos(p.src, modPos[0]))
		case name != "float" && mods[0] < 1:
			return invalid("length for type %s must be at least 1", typName)
		case name != "float" && mods[0] > 10485760:
			return invalid("length for type %s cannot exceed 10485760", typName)
		}
	default:
		switch name {
		case "int", "integer", "smallint", "bigint", "real", "boolean", "double precision":
			if keyword { // keywords of the grammar take no "(" at all
				return p.errAt(parenPos, "syntax error at or near \"(\"")
			}
		}
		return sqlerr.New(sqlerr.SyntaxError, "type modifier is not allowed for type \"%s\"", name).WithPosition(charPos(p.src, pos))
	}
	return nil
}

// typeMods reads (n[, n ...]) and returns the numbers and their offsets.
func (p *parser) typeMods() ([]int32, []int, error) {
	p.i++ // (
	var mods []int32
	var pos []int
	for {
		t := p.peek()
		if t.kind != tInt {
			return nil, nil, p.unexpected()
		}
		p.i++
		n, err := strconv.ParseInt(t.text, 10, 32)
		if err != nil || n < 0 {
			return nil, nil, p.errAt(t.pos, "type modifier %s is out of range", t.text)
		}
		mods = append(mods, int32(n))
		pos = append(pos, t.pos)
		if !p.acceptOp(",") {
			break
		}
	}
	return mods, pos, p.expectOp(")")
}

// isCreateAs reports whether the parenthesized list at the cursor is the
// column list of CREATE TABLE ... AS: plain names followed by ") AS".
func (p *parser) isCreateAs() bool {
	for j := p.i + 1; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case t.kind == tIdent || t.kind == tQIdent:
			next := p.toks[min(j+1, len(p.toks)-1)]
			if next.kind != tOp || (next.text != "," && next.text != ")") {
				return false
			}
		case t.kind == tOp && t.text == ",":
		case t.kind == tOp && t.text == ")":
			after := p.toks[min(j+1, len(p.toks)-1)]
			return after.kind == tIdent && after.text == "as"
		default:
			return false
		}
	}
	return false
}

// createIndex parses [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON
// [ONLY] table [USING method] (col [ASC|DESC] [NULLS FIRST|LAST], ...).
func (p *parser) createIndex() (Statement, error) {
	s := &CreateIndexStmt{Unique: p.acceptKw("unique")}
	if err := p.expectKw("index"); err != nil {
		return nil, err
	}
	p.acceptKw("concurrently")
	s.IfNotExists = p.acceptKw("if", "not", "exists")
	var err error
	if !p.isKw("on") {
		if s.Name, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("on"); err != nil {
		return nil, err
	}
	p.acceptKw("only")
	if s.Table, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.acceptKw("using") {
		if _, err := p.ident(); err != nil {
			return nil, err
		}
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for {
		col, err := p.ident()
		if err != nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "indexes on expressions are not supported yet; index plain columns").
				WithPosition(charPos(p.src, p.peek().pos))
		}
		_ = p.acceptKw("asc") || p.acceptKw("desc")
		if p.acceptKw("nulls") {
			_ = p.acceptKw("first") || p.acceptKw("last")
		}
		s.Columns = append(s.Columns, col)
		if !p.acceptOp(",") {
			break
		}
	}
	if err := p.expectOp(")"); err != nil {
		return nil, err
	}
	if p.isKw("where") {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "partial indexes are not supported yet").WithPosition(charPos(p.src, p.peek().pos))
	}
	return s, nil
}

// createView parses the rest of CREATE [OR REPLACE] VIEW name [(cols)] AS query.
func (p *parser) createView(orReplace bool) (Statement, error) {
	s := &CreateViewStmt{OrReplace: orReplace}
	var err error
	if s.Name, _, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.isOp("(") {
		if s.Columns, err = p.parenIdentList(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("as"); err != nil {
		return nil, err
	}
	start := p.peek().pos
	if s.Query, err = p.selectStmt(); err != nil {
		return nil, err
	}
	s.SQL = strings.TrimSpace(p.src[start:p.peek().pos])
	return s, nil
}

func (p *parser) dropStmt() (Statement, error) {
	p.i++ // drop
	if p.isKw("role") || p.isKw("user") {
		return p.dropRole()
	}
	if p.acceptKw("schema") {
		return p.dropSchema()
	}
	if p.acceptKw("index") {
		p.acceptKw("concurrently")
		s := &DropIndexStmt{IfExists: p.acceptKw("if", "exists")}
		var err error
		if s.Names, err = p.tableList(); err != nil {
			return nil, err
		}
		_ = p.acceptKw("cascade") || p.acceptKw("restrict")
		return s, nil
	}
	view := p.acceptKw("view")
	seq := !view && p.acceptKw("sequence")
	if !view && !seq && !p.acceptKw("table") {
		return nil, p.unexpected()
	}
	s := &DropTableStmt{View: view, Sequence: seq}
	if p.acceptKw("if", "exists") {
		s.IfExists = true
	}
	for {
		name, _, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		s.Names = append(s.Names, name)
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("cascade") {
		s.Cascade = true
	} else {
		p.acceptKw("restrict")
	}
	return s, nil
}

// createSchema parses the rest of CREATE SCHEMA [IF NOT EXISTS] name
// [AUTHORIZATION role] and CREATE SCHEMA AUTHORIZATION role, then the
// schema elements: CREATE TABLE, VIEW, INDEX and SEQUENCE statements.
func (p *parser) createSchema() (Statement, error) {
	s := &CreateSchemaStmt{IfNotExists: p.acceptKw("if", "not", "exists")}
	var err error
	if !p.isKw("authorization") {
		if s.Name, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("authorization") || s.Name == "" {
		if s.Owner, err = p.roleSpec(); err != nil {
			return nil, err
		}
		if s.Name == "" {
			s.Name = s.Owner
		}
	}
	for p.isKw("create") {
		if s.IfNotExists {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE SCHEMA IF NOT EXISTS cannot include schema elements").
				WithPosition(charPos(p.src, p.peek().pos))
		}
		if p.isKwAt(1, "schema") || p.isKwAt(1, "role") || p.isKwAt(1, "user") {
			p.i++
			return nil, p.unexpected()
		}
		e, err := p.createStmt()
		if err != nil {
			return nil, err
		}
		s.Elements = append(s.Elements, e)
	}
	return s, nil
}

// roleSpec reads a role name or CURRENT_USER / SESSION_USER ("" for both).
func (p *parser) roleSpec() (string, error) {
	if p.acceptKw("current_user") || p.acceptKw("session_user") || p.acceptKw("current_role") {
		return "", nil
	}
	return p.ident()
}

// alterSchema parses the rest of ALTER SCHEMA name RENAME TO new | OWNER TO role.
func (p *parser) alterSchema() (Statement, error) {
	s := &AlterSchemaStmt{}
	var err error
	if s.Name, err = p.ident(); err != nil {
		return nil, err
	}
	switch {
	case p.acceptKw("rename", "to"):
		s.RenameTo, err = p.ident()
	case p.acceptKw("owner", "to"):
		s.SetOwner = true
		s.Owner, err = p.roleSpec()
	default:
		err = p.unexpected()
	}
	return s, err
}

// dropSchema parses the rest of DROP SCHEMA [IF EXISTS] names [CASCADE | RESTRICT].
func (p *parser) dropSchema() (Statement, error) {
	s := &DropSchemaStmt{IfExists: p.acceptKw("if", "exists")}
	var err error
	if s.Names, err = p.identList(); err != nil {
		return nil, err
	}
	s.Cascade = p.acceptKw("cascade")
	if !s.Cascade {
		p.acceptKw("restrict")
	}
	return s, nil
}

// Operator precedence, lowest first, following PostgreSQL's grammar.
const (
	precOr = iota + 1
	precAnd
	precNot
	precIs
	precCmp
	precLike // BETWEEN, IN, LIKE
	precOther
	precAdd
	precMul
	precExp
	precUnary
	precCast
)

func (p *parser) expr() (Expr, error) { return p.exprPrec(precOr) }

func (p *parser) exprPrec(minPrec int) (Expr, error) {
	var left Expr
	var err error
	t := p.peek()
	switch {
	case t.kind == tIdent && t.text == "not":
		// As an operand of a tighter operator (a = NOT b) NOT still takes an
		// operand of its own precedence, as in PostgreSQL's grammar.
		p.i++
		x, err := p.exprPrec(precNot)
		if err != nil {
			return nil, err
		}
		left = &UnaryExpr{Op: "not", X: x, Pos: t.pos}
	case t.kind == tOp && (t.text == "-" || t.text == "+"):
		p.i++
		x, err := p.exprPrec(precUnary)
		if err != nil {
			return nil, err
		}
		left = p.negateLiteral(t, x)
	case t.kind == tOp && t.text == "~": // bitwise not: a prefix operator at the "any other operator" level, as in PostgreSQL (~ 5 + 1 is ~6)
		p.i++
		x, err := p.exprPrec(precOther + 1)
		if err != nil {
			return nil, err
		}
		left = &UnaryExpr{Op: "~", X: x, Pos: t.pos}
	default:
		if left, err = p.primary(); err != nil {
			return nil, err
		}
	}
	for {
		t := p.peek()
		pos := t.pos
		switch {
		case t.kind == tOp && t.text == "::" && minPrec <= precCast:
			p.i++
			typ, err := p.typeName()
			if err != nil {
				return nil, err
			}
			left = &CastExpr{X: left, Type: typ, Pos: pos}
			continue
		case t.kind == tOp && t.text == "[" && minPrec <= precCast:
			p.i++
			index, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(":") {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array slices are not supported").WithPosition(charPos(p.src, p.peek().pos))
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			left = &SubscriptExpr{X: left, Index: index, Pos: pos}
			continue
		case t.kind == tIdent && t.text == "is" && minPrec <= precIs:
			p.i++
			not := p.acceptKw("not")
			switch {
			case p.acceptKw("null"):
				left = &IsNullExpr{X: left, Not: not, Pos: pos}
			case p.acceptKw("true"):
				left = &IsBoolExpr{X: left, Not: not, Value: "true", Pos: pos}
			case p.acceptKw("false"):
				left = &IsBoolExpr{X: left, Not: not, Value: "false", Pos: pos}
			case p.acceptKw("unknown"):
				left = &IsBoolExpr{X: left, Not: not, Value: "unknown", Pos: pos}
			case p.acceptKw("distinct", "from"):
				r, err := p.exprPrec(precIs + 1)
				if err != nil {
					return nil, err
				}
				op := "is distinct from"
				if not {
					op = "is not distinct from"
				}
				left = &BinaryExpr{Op: op, L: left, R: r, Pos: pos}
			default:
				return nil, p.unexpected()
			}
			continue
		case t.kind == tIdent && t.text == "isnull" && minPrec <= precIs:
			p.i++
			left = &IsNullExpr{X: left, Pos: pos}
			continue
		case t.kind == tIdent && t.text == "notnull" && minPrec <= precIs:
			p.i++
			left = &IsNullExpr{X: left, Not: true, Pos: pos}
			continue
		}
		// [NOT] BETWEEN / IN / LIKE / ILIKE
		if minPrec <= precLike && t.kind == tIdent {
			not := false
			n := 0
			if t.text == "not" {
				nt := p.peekAt(1)
				if nt.kind == tIdent && (nt.text == "between" || nt.text == "in" || nt.text == "like" || nt.text == "ilike" || nt.text == "similar") {
					not, n = true, 1
				}
			}
			kw := p.peekAt(n)
			if kw.kind == tIdent {
				switch kw.text {
				case "between":
					p.i += n + 1
					symmetric := p.acceptKw("symmetric")
					if !symmetric {
						p.acceptKw("asymmetric")
					}
					lo, err := p.exprPrec(precLike + 1)
					if err != nil {
						return nil, err
					}
					if err := p.expectKw("and"); err != nil {
						return nil, err
					}
					hi, err := p.exprPrec(precLike + 1)
					if err != nil {
						return nil, err
					}
					b := &BetweenExpr{X: left, Lo: lo, Hi: hi, Not: not, Pos: pos}
					left = b
					if symmetric {
						// x BETWEEN SYMMETRIC a AND b is x BETWEEN a AND b OR x BETWEEN b AND a,
						// as PostgreSQL expands it (NOT: both must fail).
						op := "or"
						if not {
							op = "and"
						}
						swapped := &BetweenExpr{X: b.X, Lo: hi, Hi: lo, Not: not, Pos: pos}
						left = &BinaryExpr{Op: op, L: b, R: swapped, Pos: pos}
					}
					continue
				case "in":
					p.i += n + 1
					in := &InExpr{X: left, Not: not, Pos: pos}
					if err := p.expectOp("("); err != nil {
						return nil, err
					}
					if p.startsQuery() {
						if in.Subquery, err = p.selectStmt(); err != nil {
							return nil, err
						}
					} else if in.List, err = p.exprList(); err != nil {
						return nil, err
					}
					if err := p.expectOp(")"); err != nil {
						return nil, err
					}
					left = in
					continue
				case "like", "ilike":
					p.i += n + 1
					pat, err := p.exprPrec(precLike + 1)
					if err != nil {
						return nil, err
					}
					left = &LikeExpr{X: left, Pattern: pat, Not: not, ILike: kw.text == "ilike", Pos: pos}
					if p.isKw("like") || p.isKw("ilike") || p.isKw("not") && (p.peekAt(1).text == "like" || p.peekAt(1).text == "ilike") {
						return nil, p.unexpected() // LIKE is non-associative
					}
					continue
				case "similar":
					p.i += n + 1
					if err := p.expectKw("to"); err != nil {
						return nil, err
					}
					sim := &SimilarExpr{X: left, Not: not, Pos: pos}
					if sim.Pattern, err = p.exprPrec(precLike + 1); err != nil {
						return nil, err
					}
					if p.acceptKw("escape") {
						if sim.Escape, err = p.exprPrec(precLike + 1); err != nil {
							return nil, err
						}
					}
					left = sim
					continue
				}
			}
		}
		// COLLATE name: accepted; text compares by bytes until collations exist
		if t.kind == tIdent && t.text == "collate" && minPrec <= precCast {
			p.i++
			if _, _, err := p.qualifiedCollation(); err != nil {
				return nil, err
			}
			continue
		}
		op, prec := binaryOp(t)
		// OPERATOR(pg_catalog.~) names an operator explicitly
		if t.kind == tIdent && t.text == "operator" && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
			j := p.i + 2
			at := func(k int) token { return p.toks[min(k, len(p.toks)-1)] }
			if at(j).kind == tIdent && at(j+1).kind == tOp && at(j+1).text == "." {
				j += 2
			}
			if o, _ := binaryOp(at(j)); o != "" && at(j+1).kind == tOp && at(j+1).text == ")" {
				op, prec = o, precOther
				p.i = j + 1 // at the ), consumed below
			}
		}
		if op == "" || prec < minPrec {
			return left, nil
		}
		p.i++
		// x op ANY|SOME|ALL (subquery)
		if prec == precCmp && (p.isKw("any") || p.isKw("some") || p.isKw("all")) && p.peekAt(1).kind == tOp && p.peekAt(1).text == "(" {
			all := p.advance().text == "all"
			p.i++ // (
			q := &QuantifiedExpr{Op: op, X: left, All: all, Pos: pos}
			var err error
			if p.startsQuery() {
				q.Select, err = p.selectStmt()
			} else {
				q.Array, err = p.expr()
			}
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			left = q
			continue
		}
		// comparison operators are non-associative; others are left-associative
		right, err := p.exprPrec(prec + 1)
		if err != nil {
			return nil, err
		}
		left = &BinaryExpr{Op: op, L: left, R: right, Pos: pos}
		if _, next := binaryOp(p.peek()); prec == precCmp && next == precCmp {
			return nil, p.unexpected() // a < b < c is a syntax error
		}
	}
}

// negateLiteral folds -<number literal> into the constant and types it again
// as PostgreSQL's doNegate and make_const do: -2147483648 is an integer and
// -9223372036854775808 a bigint, though their digits alone do not fit.
func (p *parser) negateLiteral(op token, x Expr) Expr {
	if op.text == "+" {
		return x
	}
	if lit, ok := x.(*Literal); ok {
		switch lit.Value.K {
		case types.KInt:
			if lit.Value.I == math.MinInt64 { // - -9223372036854775808
				d := new(apd.Decimal).Neg(apd.New(lit.Value.I, 0))
				return &Literal{Value: types.NewDecimal(d), Type: types.TNumeric, Pos: op.pos}
			}
			return intLiteral(-lit.Value.I, op.pos)
		case types.KDecimal:
			d := new(apd.Decimal).Neg(lit.Value.D)
			if d.IsZero() {
				d.Negative = false // -0.0 is 0.0
			}
			if p.isIntToken(lit.Pos) { // an integer too big for bigint until negated
				if i, err := d.Int64(); err == nil {
					return intLiteral(i, op.pos)
				}
			}
			return &Literal{Value: types.NewDecimal(d), Type: lit.Type, Pos: op.pos}
		}
	}
	return &UnaryExpr{Op: "-", X: x, Pos: op.pos}
}

// numericLiteral is a NUMERIC constant. Like PostgreSQL it allows 131072
// digits before the decimal point and 16383 after; beyond is 22003.
func (p *parser) numericLiteral(t token) (Expr, error) {
	d, _, err := apd.NewFromString(t.text)
	if err == nil && d.IsZero() && d.Exponent > 0 { // 0e999999 is just 0
		d = new(apd.Decimal)
	}
	if err != nil || int64(d.Exponent)+int64(d.NumDigits()) > 131072 || d.Exponent < -16383 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format").WithPosition(charPos(p.src, t.pos))
	}
	return &Literal{Value: types.NewDecimal(d), Type: types.TNumeric, Pos: t.pos}, nil
}

// intLiteral is an integer constant: integer if it fits, else bigint.
func intLiteral(i int64, pos int) *Literal {
	typ := types.TInt4
	if !types.IntFits(i, types.Int4) {
		typ = types.TInt8
	}
	return &Literal{Value: types.NewInt(i), Type: typ, Pos: pos}
}

// isIntToken reports whether the token at byte offset pos is an integer literal.
func (p *parser) isIntToken(pos int) bool {
	for j := p.i; j >= 0; j-- {
		if p.toks[j].pos == pos {
			return p.toks[j].kind == tInt
		}
	}
	return false
}

func binaryOp(t token) (string, int) {
	switch t.kind {
	case tIdent:
		switch t.text {
		case "or":
			return "or", precOr
		case "and":
			return "and", precAnd
		}
	case tOp:
		switch t.text {
		case "=", "<", ">", "<=", ">=", "<>":
			return t.text, precCmp
		case "!=":
			return "<>", precCmp
		case "||", "~", "~*", "!~", "!~*",
			"&", "|", "#", "<<", ">>", // bitwise
			"->", "->>", "#>", "#>>", "#-", "@>", "<@", "?", "?|", "?&": // json and jsonb
			return t.text, precOther
		case "+", "-":
			return t.text, precAdd
		case "*", "/", "%":
			return t.text, precMul
		case "^":
			return "^", precExp
		}
	}
	return "", 0
}

func (p *parser) primary() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tInt:
		p.i++
		i, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil { // too big for bigint: numeric, as in PostgreSQL
			return p.numericLiteral(t)
		}
		return intLiteral(i, t.pos), nil
	case tNum:
		p.i++
		return p.numericLiteral(t)
	case tString:
		p.i++
		return &Literal{Value: types.NewText(t.text), Type: types.TUnknown, Pos: t.pos}, nil
	case tParam:
		p.i++
		n, err := strconv.Atoi(t.text)
		if err != nil || n < 1 {
			return nil, p.errAt(t.pos, "invalid parameter $%s", t.text)
		}
		return &Param{N: n, Pos: t.pos}, nil
	case tOp:
		if t.text == "(" {
			p.i++
			if p.startsQuery() {
				sel, err := p.selectStmt()
				if err != nil {
					return nil, err
				}
				return &SubqueryExpr{Select: sel, Pos: t.pos}, p.expectOp(")")
			}
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return p.fieldSelect(e)
		}
		return nil, p.unexpected()
	case tQIdent:
		return p.columnOrFunc()
	case tIdent:
		switch t.text {
		case "null":
			p.i++
			return &Literal{Value: types.Null, Type: types.TUnknown, Pos: t.pos}, nil
		case "true", "false":
			p.i++
			return &Literal{Value: types.NewBool(t.text == "true"), Type: types.TBool, Pos: t.pos}, nil
		case "case":
			return p.caseExpr()
		case "array":
			if next := p.peekAt(1); next.kind == tOp && (next.text == "[" || next.text == "(") {
				return p.arrayExpr()
			}
		case "cast":
			p.i++
			if err := p.expectOp("("); err != nil {
				return nil, err
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectKw("as"); err != nil {
				return nil, err
			}
			typ, err := p.typeName()
			if err != nil {
				return nil, err
			}
			return &CastExpr{X: x, Type: typ, Pos: t.pos}, p.expectOp(")")
		case "exists":
			p.i++
			if err := p.expectOp("("); err != nil {
				return nil, err
			}
			sel, err := p.selectStmt()
			if err != nil {
				return nil, err
			}
			return &SubqueryExpr{Select: sel, Exists: true, Pos: t.pos}, p.expectOp(")")
		case "current_date", "current_timestamp", "localtimestamp", "current_user", "session_user", "current_role", "current_schema", "current_catalog":
			if !(p.peekAt(1).kind == tOp && p.peekAt(1).text == "(") {
				p.i++
				return &FuncCall{Name: t.text, Pos: t.pos}, nil
			}
		}
		// left( and right( are the string functions, not joins
		isFunc := (t.text == "left" || t.text == "right") && p.peekAt(1).kind == tOp && p.peekAt(1).text == "("
		if reserved[t.text] && !isFunc {
			return nil, p.unexpected()
		}
		if e := p.typedLiteral(); e != nil {
			return e, nil
		}
		return p.columnOrFunc()
	}
	return nil, p.unexpected()
}

// typedLiteral parses a constant of a named type, type 'string' (DATE
// '2024-01-01', int8 '7', varchar(2) 'abc', double precision '1.5'), or
// returns nil with nothing consumed when the tokens are not one.
func (p *parser) typedLiteral() Expr {
	t := p.peek()
	if _, ok := types.Lookup(t.text, nil); !ok && t.text != "double" && t.text != "character" {
		return nil
	}
	start := p.i
	typ, err := p.typeName()
	if err != nil || p.peek().kind != tString ||
		typ.ID == types.Char && !(p.toks[start+1].kind == tOp && p.toks[start+1].text == "(") {
		// char 'x' without a length is unbounded in PostgreSQL, not char(1): not supported
		p.i = start
		return nil
	}
	s := p.advance()
	text := s.text
	// INTERVAL '90' DAY: the standard's unit after the literal
	if typ.ID == types.Interval && p.peek().kind == tIdent {
		switch u := p.peek().text; u {
		case "year", "month", "day", "hour", "minute", "second":
			p.i++
			text += " " + u
		}
	}
	return &CastExpr{X: &Literal{Value: types.NewText(text), Type: types.TUnknown, Pos: s.pos}, Type: typ, Pos: t.pos}
}

func (p *parser) columnOrFunc() (Expr, error) {
	t := p.advance()
	name := t.text
	if p.isOp("(") {
		return p.funcCall(name, t.pos)
	}
	if p.acceptOp(".") {
		if p.isOp("*") {
			return nil, p.unexpected()
		}
		col := p.peek()
		if col.kind != tIdent && col.kind != tQIdent {
			return nil, p.unexpected()
		}
		p.i++
		if p.isOp("(") { // schema-qualified function: pg_catalog.f(...)
			return p.funcCall(col.text, t.pos)
		}
		if p.acceptOp(".") { // schema.table.column
			c := p.peek()
			if c.kind != tIdent && c.kind != tQIdent {
				return nil, p.unexpected()
			}
			p.i++
			return &ColumnRef{Schema: name, Table: col.text, Name: c.text, Pos: t.pos}, nil
		}
		return &ColumnRef{Table: name, Name: col.text, Pos: t.pos}, nil
	}
	return &ColumnRef{Name: name, Pos: t.pos}, nil
}

func (p *parser) funcCall(name string, pos int) (Expr, error) {
	e, err := p.funcArgs(name, pos)
	if err != nil {
		return nil, err
	}
	f := e.(*FuncCall)
	if p.acceptKw("filter") {
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		if err := p.expectKw("where"); err != nil {
			return nil, err
		}
		if f.Filter, err = p.expr(); err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("over") {
		if p.isOp("(") {
			if f.Over, err = p.windowSpec(); err != nil {
				return nil, err
			}
		} else {
			w := &WindowSpec{Bare: true, Pos: p.peek().pos}
			if w.Ref, err = p.ident(); err != nil {
				return nil, err
			}
			f.Over = w
		}
	}
	return f, nil
}

// windowSpec parses ( [name] [PARTITION BY ...] [ORDER BY ...] [frame] ).
func (p *parser) windowSpec() (*WindowSpec, error) {
	w := &WindowSpec{Pos: p.peek().pos}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	var err error
	if t := p.peek(); t.kind == tQIdent || t.kind == tIdent && !reserved[t.text] &&
		t.text != "partition" && t.text != "rows" && t.text != "range" && t.text != "groups" {
		if w.Ref, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("partition", "by") {
		if w.PartitionBy, err = p.exprList(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("order", "by") {
		if w.OrderBy, err = p.orderList(); err != nil {
			return nil, err
		}
	}
	if p.isKw("rows") || p.isKw("range") || p.isKw("groups") {
		f := &Frame{Mode: p.advance().text}
		if p.acceptKw("between") {
			if f.Start, err = p.frameBound(); err != nil {
				return nil, err
			}
			if err := p.expectKw("and"); err != nil {
				return nil, err
			}
			if f.End, err = p.frameBound(); err != nil {
				return nil, err
			}
		} else {
			if f.Start, err = p.frameBound(); err != nil {
				return nil, err
			}
			f.End = FrameBound{Kind: "current row"}
		}
		w.Frame = f
	}
	return w, p.expectOp(")")
}

func (p *parser) frameBound() (FrameBound, error) {
	switch {
	case p.acceptKw("unbounded", "preceding"):
		return FrameBound{Kind: "unbounded preceding"}, nil
	case p.acceptKw("unbounded", "following"):
		return FrameBound{Kind: "unbounded following"}, nil
	case p.acceptKw("current", "row"):
		return FrameBound{Kind: "current row"}, nil
	}
	off, err := p.exprPrec(precAdd)
	if err != nil {
		return FrameBound{}, err
	}
	switch {
	case p.acceptKw("preceding"):
		return FrameBound{Kind: "preceding", Offset: off}, nil
	case p.acceptKw("following"):
		return FrameBound{Kind: "following", Offset: off}, nil
	}
	return FrameBound{}, p.unexpected()
}

func (p *parser) funcArgs(name string, pos int) (Expr, error) {
	p.i++ // (
	f := &FuncCall{Name: name, Pos: pos}
	if p.acceptOp("*") {
		f.Star = true
		return f, p.expectOp(")")
	}
	if p.acceptOp(")") {
		return f, nil
	}
	if p.acceptKw("distinct") {
		f.Distinct = true
	} else {
		p.acceptKw("all")
	}
	var err error
	switch name {
	case "extract": // extract(field FROM source)
		field := p.advance()
		if field.kind != tIdent && field.kind != tString {
			return nil, p.errAt(field.pos, "syntax error at or near %q", p.tokenText(field))
		}
		if err := p.expectKw("from"); err != nil {
			return nil, err
		}
		src, err := p.expr()
		if err != nil {
			return nil, err
		}
		f.Args = []Expr{&Literal{Value: types.NewText(field.text), Type: types.TUnknown, Pos: field.pos}, src}
		return f, p.expectOp(")")
	case "substring": // substring(s FROM start [FOR count]) or substring(s FOR count)
		s, err := p.expr()
		if err != nil {
			return nil, err
		}
		f.Args = []Expr{s}
		if p.isKw("from") || p.isKw("for") {
			start := Expr(&Literal{Value: types.NewInt(1), Type: types.TInt4, Pos: p.peek().pos})
			if p.acceptKw("from") {
				if start, err = p.expr(); err != nil {
					return nil, err
				}
			}
			f.Args = append(f.Args, start)
			if p.acceptKw("for") {
				n, err := p.expr()
				if err != nil {
					return nil, err
				}
				f.Args = append(f.Args, n)
			}
			return f, p.expectOp(")")
		}
		for p.acceptOp(",") {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			f.Args = append(f.Args, x)
		}
		return f, p.expectOp(")")
	case "trim": // trim([LEADING | TRAILING | BOTH] [chars] FROM s), trim([...] [FROM] s [, chars])
		f.Name = "btrim"
		if p.acceptKw("leading") {
			f.Name = "ltrim"
		} else if p.acceptKw("trailing") {
			f.Name = "rtrim"
		} else {
			p.acceptKw("both")
		}
		if p.acceptKw("from") {
			if f.Args, err = p.exprList(); err != nil {
				return nil, err
			}
			return f, p.expectOp(")")
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.acceptKw("from") {
			s, err := p.expr()
			if err != nil {
				return nil, err
			}
			f.Args = []Expr{s, x}
			return f, p.expectOp(")")
		}
		f.Args = []Expr{x}
		for p.acceptOp(",") {
			if x, err = p.expr(); err != nil {
				return nil, err
			}
			f.Args = append(f.Args, x)
		}
		return f, p.expectOp(")")
	case "position": // position(sub IN s)
		sub, err := p.exprPrec(precLike + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("in"); err != nil {
			return nil, err
		}
		s, err := p.expr()
		if err != nil {
			return nil, err
		}
		f.Args = []Expr{sub, s}
		return f, p.expectOp(")")
	}
	if f.Args, err = p.exprList(); err != nil {
		return nil, err
	}
	if p.acceptKw("order", "by") {
		if f.OrderBy, err = p.orderList(); err != nil {
			return nil, err
		}
	}
	return f, p.expectOp(")")
}

func (p *parser) caseExpr() (Expr, error) {
	c := &CaseExpr{Pos: p.advance().pos}
	var err error
	if !p.isKw("when") {
		if c.Operand, err = p.expr(); err != nil {
			return nil, err
		}
	}
	for p.acceptKw("when") {
		var w When
		if w.Cond, err = p.expr(); err != nil {
			return nil, err
		}
		if err := p.expectKw("then"); err != nil {
			return nil, err
		}
		if w.Result, err = p.expr(); err != nil {
			return nil, err
		}
		c.Whens = append(c.Whens, w)
	}
	if len(c.Whens) == 0 {
		return nil, p.unexpected()
	}
	if p.acceptKw("else") {
		if c.Else, err = p.expr(); err != nil {
			return nil, err
		}
	}
	return c, p.expectKw("end")
}

// String renders a statement kind for logs and metrics labels.
func Kind(s Statement) string {
	switch s := s.(type) {
	case *SelectStmt:
		return "select"
	case *InsertStmt:
		return "insert"
	case *UpdateStmt:
		return "update"
	case *DeleteStmt:
		return "delete"
	case *CreateTableStmt, *DropTableStmt, *AlterTableStmt, *TruncateStmt, *CreateViewStmt, *CreateSequenceStmt,
		*CreateIndexStmt, *DropIndexStmt, *CreateRoleStmt, *AlterRoleStmt, *DropRoleStmt, *CreateSchemaStmt,
		*DropSchemaStmt, *AlterSchemaStmt, *GrantStmt, *AlterDefaultPrivilegesStmt:
		return "ddl"
	case *CopyStmt:
		return "copy"
	case *VacuumStmt, *CheckpointStmt:
		return "maintenance"
	case *DeclareStmt, *FetchStmt, *CloseStmt:
		return "cursor"
	case *ExplainStmt:
		return "explain"
	case *TransactionStmt:
		return s.Kind
	case *SetStmt, *ShowStmt, *DiscardStmt, *PrepareStmt, *DeallocateStmt, *AlterSystemStmt, *KillSessionStmt, *ShutdownStmt, *RestrictedSessionStmt, *AlterDatabaseOpenStmt:
		return "utility"
	}
	return fmt.Sprintf("%T", s)
}

// arrayExpr parses ARRAY[e, ...] and ARRAY(subquery).
func (p *parser) arrayExpr() (Expr, error) {
	pos := p.advance().pos // array
	a := &ArrayExpr{Pos: pos}
	if p.acceptOp("(") {
		var err error
		if a.Select, err = p.selectStmt(); err != nil {
			return nil, err
		}
		return a, p.expectOp(")")
	}
	p.i++ // [
	if !p.isOp("]") {
		var err error
		if a.Elems, err = p.exprList(); err != nil {
			return nil, err
		}
	}
	return a, p.expectOp("]")
}

// declareStmt parses DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE]
// [NO SCROLL] CURSOR [WITH | WITHOUT HOLD] FOR query.
func (p *parser) declareStmt() (Statement, error) {
	p.i++ // declare
	s := &DeclareStmt{}
	var err error
	if s.Name, err = p.ident(); err != nil {
		return nil, err
	}
	for {
		switch {
		case p.acceptKw("binary"):
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "binary cursors are not supported").WithPosition(charPos(p.src, p.toks[p.i-1].pos))
		case p.acceptKw("scroll"):
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "scrollable cursors are not supported").WithPosition(charPos(p.src, p.toks[p.i-1].pos))
		case p.acceptKw("asensitive"), p.acceptKw("insensitive"), p.acceptKw("no", "scroll"):
			continue
		}
		break
	}
	if err := p.expectKw("cursor"); err != nil {
		return nil, err
	}
	switch {
	case p.acceptKw("with", "hold"):
		s.Hold = true
	case p.acceptKw("without", "hold"):
	}
	if err := p.expectKw("for"); err != nil {
		return nil, err
	}
	s.Query, err = p.selectStmt()
	return s, err
}

// preparedStmt parses PREPARE name [(types)] AS statement, EXECUTE name
// [(args)] and DEALLOCATE [PREPARE] name | ALL.
func (p *parser) preparedStmt() (Statement, error) {
	switch p.advance().text {
	case "deallocate":
		p.acceptKw("prepare")
		if p.acceptKw("all") {
			return &DeallocateStmt{All: true}, nil
		}
		name, err := p.ident()
		return &DeallocateStmt{Name: name}, err
	case "execute":
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		s := &ExecuteStmt{Name: name}
		if p.acceptOp("(") {
			if s.Args, err = p.exprList(); err != nil {
				return nil, err
			}
			err = p.expectOp(")")
		}
		return s, err
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	s := &PrepareStmt{Name: name}
	if p.acceptOp("(") {
		for {
			t, err := p.typeName()
			if err != nil {
				return nil, err
			}
			s.Types = append(s.Types, t)
			if !p.acceptOp(",") {
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("as"); err != nil {
		return nil, err
	}
	start := p.peek().pos
	switch p.peek().text {
	case "select", "values", "with", "insert", "update", "delete", "(":
	default:
		return nil, p.unexpected()
	}
	if _, err := p.statement(); err != nil {
		return nil, err
	}
	end := len(p.src)
	if p.i < len(p.toks) && p.peek().kind != tEOF {
		end = p.peek().pos
	}
	s.Query = strings.TrimSpace(p.src[start:end])
	return s, nil
}

// fetchStmt parses FETCH / MOVE [NEXT | FORWARD [n | ALL] | n | ALL]
// [FROM | IN] name. Only forward directions exist: cursors do not scroll.
func (p *parser) fetchStmt() (Statement, error) {
	s := &FetchStmt{Move: p.advance().text == "move", Count: 1}
	count := func() error {
		switch t := p.peek(); {
		case p.acceptKw("all"):
			s.Count = -1
		case t.kind == tInt:
			p.i++
			n, err := strconv.ParseInt(t.text, 10, 64)
			if err != nil {
				return p.errAt(t.pos, "FETCH count %s is out of range", t.text)
			}
			s.Count = n
		}
		return nil
	}
	switch t := p.peek(); {
	case p.acceptKw("next"):
	case p.acceptKw("forward"):
		if err := count(); err != nil {
			return nil, err
		}
	case t.kind == tIdent && (t.text == "prior" || t.text == "first" || t.text == "last" || t.text == "absolute" ||
		t.text == "relative" || t.text == "backward"):
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cursor can only scan forward").WithPosition(charPos(p.src, t.pos)).
			WithHint("Use FETCH NEXT, FORWARD n or ALL; scrollable cursors are not supported.")
	default:
		if err := count(); err != nil {
			return nil, err
		}
	}
	_ = p.acceptKw("from") || p.acceptKw("in")
	var err error
	s.Name, err = p.ident()
	return s, err
}

// setClauses reads UPDATE's col = value, ... (also ON CONFLICT DO UPDATE's).
func (p *parser) setClauses() ([]SetClause, error) {
	var set []SetClause
	for {
		pos := p.peek().pos
		col, err := p.ident()
		if err != nil {
			return nil, err
		}
		if p.acceptOp(".") { // SET t.col = ...
			if col, err = p.ident(); err != nil {
				return nil, err
			}
		}
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		var v Expr
		if p.isKw("default") {
			v = &DefaultExpr{Pos: p.advance().pos}
		} else if v, err = p.expr(); err != nil {
			return nil, err
		}
		set = append(set, SetClause{Column: col, Value: v, Pos: pos})
		if !p.acceptOp(",") {
			return set, nil
		}
	}
}

// onConflict parses ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING |
// DO UPDATE SET ... [WHERE ...].
func (p *parser) onConflict() (*OnConflict, error) {
	oc := &OnConflict{Pos: p.peek().pos}
	if err := p.expectKw("on"); err != nil {
		return nil, err
	}
	if err := p.expectKw("conflict"); err != nil {
		return nil, err
	}
	var err error
	switch {
	case p.isOp("("):
		if oc.Columns, err = p.parenIdentList(); err != nil {
			return nil, err
		}
	case p.acceptKw("on", "constraint"):
		if oc.Constraint, err = p.ident(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("do"); err != nil {
		return nil, err
	}
	if p.acceptKw("nothing") {
		oc.DoNothing = true
		return oc, nil
	}
	if err := p.expectKw("update"); err != nil {
		return nil, err
	}
	if err := p.expectKw("set"); err != nil {
		return nil, err
	}
	if oc.Set, err = p.setClauses(); err != nil {
		return nil, err
	}
	if p.acceptKw("where") {
		oc.Where, err = p.expr()
	}
	return oc, err
}
