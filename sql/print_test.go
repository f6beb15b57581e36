package sql

import (
	"fmt"
	"strings"

	"rustydb/types"
)

// This file renders parsed statements back to a canonical, fully
// parenthesized SQL-like text so that tests can compare whole ASTs as strings.

func exprString(e Expr) string {
	switch e := e.(type) {
	case nil:
		return "<nil>"
	case *ColumnRef:
		switch {
		case e.Schema != "":
			return e.Schema + "." + e.Table + "." + e.Name
		case e.Table != "":
			return e.Table + "." + e.Name
		}
		return e.Name
	case *Literal:
		switch {
		case e.Value.IsNull():
			return "NULL"
		case e.Value.K == types.KText:
			return "'" + strings.ReplaceAll(e.Value.S, "'", "''") + "'"
		case e.Value.K == types.KBool:
			return strings.ToUpper(fmt.Sprint(e.Value.Bool()))
		}
		return types.Format(e.Value)
	case *Param:
		return fmt.Sprintf("$%d", e.N)
	case *BinaryExpr:
		return "(" + exprString(e.L) + " " + e.Op + " " + exprString(e.R) + ")"
	case *UnaryExpr:
		if e.Op == "not" {
			return "(NOT " + exprString(e.X) + ")"
		}
		return "(" + e.Op + exprString(e.X) + ")"
	case *FuncCall:
		var b strings.Builder
		b.WriteString(e.Name + "(")
		if e.Distinct {
			b.WriteString("DISTINCT ")
		}
		if e.Star {
			b.WriteString("*")
		}
		b.WriteString(exprList(e.Args))
		if e.OrderBy != nil {
			b.WriteString(" ORDER BY " + orderString(e.OrderBy))
		}
		b.WriteString(")")
		return b.String()
	case *CastExpr:
		return "CAST(" + exprString(e.X) + " AS " + e.Type.String() + ")"
	case *IsNullExpr:
		if e.Not {
			return "(" + exprString(e.X) + " IS NOT NULL)"
		}
		return "(" + exprString(e.X) + " IS NULL)"
	case *IsBoolExpr:
		not := ""
		if e.Not {
			not = "NOT "
		}
		return "(" + exprString(e.X) + " IS " + not + strings.ToUpper(e.Value) + ")"
	case *BetweenExpr:
		not := ""
		if e.Not {
			not = "NOT "
		}
		return "(" + exprString(e.X) + " " + not + "BETWEEN " + exprString(e.Lo) + " AND " + exprString(e.Hi) + ")"
	case *InExpr:
		not := ""
		if e.Not {
			not = "NOT "
		}
		if e.Subquery != nil {
			return "(" + exprString(e.X) + " " + not + "IN (" + stmtString(e.Subquery) + "))"
		}
		return "(" + exprString(e.X) + " " + not + "IN (" + exprList(e.List) + "))"
	case *LikeExpr:
		op := "LIKE"
		if e.ILike {
			op = "ILIKE"
		}
		if e.Not {
			op = "NOT " + op
		}
		return "(" + exprString(e.X) + " " + op + " " + exprString(e.Pattern) + ")"
	case *SimilarExpr:
		op := "SIMILAR TO"
		if e.Not {
			op = "NOT " + op
		}
		if e.Escape != nil {
			return "(" + exprString(e.X) + " " + op + " " + exprString(e.Pattern) + " ESCAPE " + exprString(e.Escape) + ")"
		}
		return "(" + exprString(e.X) + " " + op + " " + exprString(e.Pattern) + ")"
	case *CaseExpr:
		var b strings.Builder
		b.WriteString("CASE")
		if e.Operand != nil {
			b.WriteString(" " + exprString(e.Operand))
		}
		for _, w := range e.Whens {
			b.WriteString(" WHEN " + exprString(w.Cond) + " THEN " + exprString(w.Result))
		}
		if e.Else != nil {
			b.WriteString(" ELSE " + exprString(e.Else))
		}
		return b.String() + " END"
	case *SubqueryExpr:
		if e.Exists {
			return "EXISTS(" + stmtString(e.Select) + ")"
		}
		return "(" + stmtString(e.Select) + ")"
	case *DefaultExpr:
		return "DEFAULT"
	case *FieldSelect:
		return "(" + exprString(e.X) + ")." + e.Field
	}
	return fmt.Sprintf("?%T", e)
}

func exprList(es []Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = exprString(e)
	}
	return strings.Join(s, ", ")
}

func hintsString(hs []Hint) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(" /*+ " + h.Name)
		if h.Args != nil {
			b.WriteString("(" + strings.Join(h.Args, ", ") + ")")
		}
		b.WriteString(" */")
	}
	return b.String()
}

func itemsString(items []SelectItem) string {
	s := make([]string, len(items))
	for i, it := range items {
		switch {
		case it.Star && it.StarSchema != "":
			s[i] = it.StarSchema + "." + it.StarTable + ".*"
		case it.Star && it.StarTable != "":
			s[i] = it.StarTable + ".*"
		case it.Star:
			s[i] = "*"
		default:
			s[i] = exprString(it.Expr)
			if it.Alias != "" {
				s[i] += " AS " + it.Alias
			}
		}
	}
	return strings.Join(s, ", ")
}

func aliasString(alias string, cols []string) string {
	if alias == "" {
		return ""
	}
	s := " AS " + alias
	if cols != nil {
		s += "(" + strings.Join(cols, ", ") + ")"
	}
	return s
}

func tableString(te TableExpr) string {
	switch te := te.(type) {
	case *TableRef:
		return te.Name.String() + aliasString(te.Alias, te.ColAliases)
	case *JoinExpr:
		kind := strings.ToUpper(te.Kind)
		if te.Natural {
			kind = "NATURAL " + kind
		}
		s := "(" + tableString(te.Left) + " " + kind + " JOIN " + tableString(te.Right)
		switch {
		case te.On != nil:
			s += " ON " + exprString(te.On)
		case te.Using != nil:
			s += " USING (" + strings.Join(te.Using, ", ") + ")"
		}
		return s + ")"
	case *SubqueryRef:
		return "(" + stmtString(te.Select) + ")" + aliasString(te.Alias, te.ColAliases)
	case *ValuesRef:
		rows := make([]string, len(te.Rows))
		for i, r := range te.Rows {
			rows[i] = "(" + exprList(r) + ")"
		}
		return "VALUES " + strings.Join(rows, ", ") + aliasString(te.Alias, nil)
	}
	return fmt.Sprintf("?%T", te)
}

func selectString(s *SelectStmt) string {
	var b strings.Builder
	if s.SetOp != "" {
		b.WriteString("(" + selectString(s.Left) + ") " + strings.ToUpper(s.SetOp))
		if s.SetAll {
			b.WriteString(" ALL")
		}
		b.WriteString(" (" + selectString(s.Right) + ")")
	} else {
		b.WriteString("SELECT" + hintsString(s.Hints))
		if s.Distinct {
			b.WriteString(" DISTINCT")
		}
		if len(s.Targets) > 0 {
			b.WriteString(" " + itemsString(s.Targets))
		}
		if len(s.From) > 0 {
			from := make([]string, len(s.From))
			for i, te := range s.From {
				from[i] = tableString(te)
			}
			b.WriteString(" FROM " + strings.Join(from, ", "))
		}
		if s.Where != nil {
			b.WriteString(" WHERE " + exprString(s.Where))
		}
		if s.GroupBy != nil {
			b.WriteString(" GROUP BY " + exprList(s.GroupBy))
		}
		if s.Having != nil {
			b.WriteString(" HAVING " + exprString(s.Having))
		}
	}
	if s.OrderBy != nil {
		b.WriteString(" ORDER BY " + orderString(s.OrderBy))
	}
	if s.Limit != nil {
		b.WriteString(" LIMIT " + exprString(s.Limit))
	}
	if s.Offset != nil {
		b.WriteString(" OFFSET " + exprString(s.Offset))
	}
	return b.String()
}

func orderString(order []OrderItem) string {
	items := make([]string, len(order))
	for i, o := range order {
		items[i] = exprString(o.Expr)
		if o.Desc {
			items[i] += " DESC"
		}
		if o.NullsFirst != nil {
			if *o.NullsFirst {
				items[i] += " NULLS FIRST"
			} else {
				items[i] += " NULLS LAST"
			}
		}
	}
	return strings.Join(items, ", ")
}

func returningString(items []SelectItem) string {
	if items == nil {
		return ""
	}
	return " RETURNING " + itemsString(items)
}

func stmtString(st Statement) string {
	switch s := st.(type) {
	case *SelectStmt:
		return selectString(s)
	case *InsertStmt:
		var b strings.Builder
		b.WriteString("INSERT" + hintsString(s.Hints) + " INTO " + s.Table.String())
		if s.Columns != nil {
			b.WriteString(" (" + strings.Join(s.Columns, ", ") + ")")
		}
		switch {
		case s.Select != nil:
			b.WriteString(" " + selectString(s.Select))
		case len(s.Values) == 1 && len(s.Values[0]) == 0:
			b.WriteString(" DEFAULT VALUES")
		default:
			rows := make([]string, len(s.Values))
			for i, r := range s.Values {
				rows[i] = "(" + exprList(r) + ")"
			}
			b.WriteString(" VALUES " + strings.Join(rows, ", "))
		}
		return b.String() + returningString(s.Returning)
	case *UpdateStmt:
		var b strings.Builder
		b.WriteString("UPDATE" + hintsString(s.Hints) + " " + s.Table.String() + aliasString(s.Alias, nil) + " SET ")
		for i, c := range s.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.Column + " = " + exprString(c.Value))
		}
		if s.Where != nil {
			b.WriteString(" WHERE " + exprString(s.Where))
		}
		return b.String() + returningString(s.Returning)
	case *DeleteStmt:
		var b strings.Builder
		b.WriteString("DELETE" + hintsString(s.Hints) + " FROM " + s.Table.String() + aliasString(s.Alias, nil))
		if s.Where != nil {
			b.WriteString(" WHERE " + exprString(s.Where))
		}
		return b.String() + returningString(s.Returning)
	case *CreateTableStmt:
		var b strings.Builder
		b.WriteString("CREATE TABLE ")
		if s.IfNotExists {
			b.WriteString("IF NOT EXISTS ")
		}
		b.WriteString(s.Name.String() + " (")
		var parts []string
		for _, c := range s.Columns {
			p := c.Name + " " + c.Type.String()
			if c.NotNull {
				p += " NOT NULL"
			}
			if c.PrimaryKey {
				p += " PRIMARY KEY"
			}
			if c.Unique {
				p += " UNIQUE"
			}
			if c.Default != nil {
				p += " DEFAULT " + exprString(c.Default)
			}
			parts = append(parts, p)
		}
		if s.PrimaryKey != nil {
			parts = append(parts, "PRIMARY KEY ("+strings.Join(s.PrimaryKey, ", ")+")")
		}
		for _, u := range s.Unique {
			parts = append(parts, "UNIQUE ("+strings.Join(u, ", ")+")")
		}
		return b.String() + strings.Join(parts, ", ") + ")"
	case *DropTableStmt:
		s2 := "DROP TABLE "
		if s.IfExists {
			s2 += "IF EXISTS "
		}
		for i, n := range s.Names {
			if i > 0 {
				s2 += ", "
			}
			s2 += n.String()
		}
		if s.Cascade {
			s2 += " CASCADE"
		}
		return s2
	case *TransactionStmt:
		return strings.ToUpper(s.Kind)
	case *SetStmt:
		return "SET " + s.Name + " = " + s.Value
	case *ShowStmt:
		return "SHOW " + s.Name
	case *AlterSystemStmt:
		out := "ALTER SYSTEM SET " + s.Name + " = " + s.Value
		if s.Reset {
			out = "ALTER SYSTEM RESET " + s.Name
		}
		if s.Scope != "" {
			out += " SCOPE = " + s.Scope
		}
		return out
	}
	return fmt.Sprintf("?%T", st)
}
