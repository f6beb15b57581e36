// Package sql turns SQL text into statements: a lexer with PostgreSQL's
// lexical rules and a recursive-descent parser producing the AST below. It does
// no name resolution or typing; that is the planner's job. Optimizer hints in
// /*+ ... */ comments right after a statement's first keyword are kept on the
// statement.
package sql

import "rustydb/types"

// Statement is a parsed SQL statement.
type Statement interface{ statement() }

// Expr is a parsed expression. Pos is the 0-based byte offset of its first token.
type Expr interface{ Position() int }

// Hint is one optimizer hint such as PARALLEL(4).
type Hint struct {
	Name string // upper case
	Args []string
}

type (
	// SelectStmt is a query. A set operation is a SelectStmt whose SetOp is set:
	// Left and Right are its operands and only OrderBy/Limit/Offset apply to it.
	SelectStmt struct {
		With       []CTE // WITH queries visible in this query and its subqueries
		Hints      []Hint
		Distinct   bool
		DistinctOn []Expr // DISTINCT ON (...): first row of each group
		Targets    []SelectItem
		From       []TableExpr // comma-separated items, joined as a cross product
		Where      Expr
		GroupBy    []Expr
		Having     Expr
		Windows    []WindowDef // WINDOW name AS (...), ...
		OrderBy    []OrderItem
		Limit      Expr
		Offset     Expr

		SetOp       string // "union", "intersect", "except" or ""
		SetAll      bool
		Left, Right *SelectStmt
	}

	// CTE is one WITH query. With Recursive, Select may refer to Name itself
	// (as the right operand of a UNION).
	CTE struct {
		Name      string
		Columns   []string
		Select    *SelectStmt
		Recursive bool
		Pos       int
	}

	// SelectItem is an output column: an expression, *, t.* or s.t.*.
	SelectItem struct {
		Expr       Expr
		Alias      string
		Star       bool
		StarSchema string
		StarTable  string
		Pos        int
	}

	// WindowDef is one definition of a WINDOW clause.
	WindowDef struct {
		Name string
		Spec *WindowSpec
		Pos  int
	}

	OrderItem struct {
		Expr       Expr
		Desc       bool
		NullsFirst *bool // nil: the default (NULLS LAST for ASC, FIRST for DESC)
	}

	InsertStmt struct {
		Hints      []Hint
		Table      ObjectName
		Alias      string
		Columns    []string
		Values     [][]Expr // VALUES rows; nil when Select is set
		Select     *SelectStmt
		OnConflict *OnConflict
		Returning  []SelectItem
	}

	UpdateStmt struct {
		Hints     []Hint
		Table     ObjectName
		Alias     string
		Set       []SetClause
		Where     Expr
		Returning []SelectItem
	}

	// OnConflict is INSERT's ON CONFLICT [(cols) | ON CONSTRAINT name]
	// DO NOTHING | DO UPDATE SET ... [WHERE ...].
	OnConflict struct {
		Columns    []string
		Constraint string
		DoNothing  bool
		Set        []SetClause
		Where      Expr
		Pos        int
	}

	SetClause struct {
		Column string
		Value  Expr
		Pos    int
	}

	DeleteStmt struct {
		Hints     []Hint
		Table     ObjectName
		Alias     string
		Where     Expr
		Returning []SelectItem
	}

	CreateTableStmt struct {
		Name        ObjectName
		IfNotExists bool
		// CREATE TABLE ... AS query: As is set, AsColumns optionally renames.
		As          *SelectStmt
		AsColumns   []string
		NoData      bool
		Columns     []ColumnDef
		PrimaryKey  []string // table-level PRIMARY KEY (a, b)
		Unique      [][]string
		Checks      []CheckDef
		ForeignKeys []ForeignKeyDef
	}

	// CheckDef is a CHECK constraint; Text is the expression's source.
	CheckDef struct {
		Name string
		Expr Expr
		Text string
	}

	// ForeignKeyDef is FOREIGN KEY (Columns) REFERENCES RefTable (RefColumns);
	// empty RefColumns means the referenced table's primary key. The actions
	// are "no action", "restrict", "cascade", "set null" or "set default".
	ForeignKeyDef struct {
		Name               string
		Columns            []string
		RefTable           ObjectName
		RefColumns         []string
		OnDelete, OnUpdate string
		Pos                int
	}

	ColumnDef struct {
		Name    string
		Type    types.T
		NotNull bool
		Default Expr
		// DefaultText is the DEFAULT expression\'s source, as the catalog keeps it.
		DefaultText string
		PrimaryKey  bool
		Unique      bool
		Serial      bool   // serial, bigserial, smallserial
		Identity    string // "always" or "by default" for GENERATED ... AS IDENTITY
		// IdentityOptions are the sequence options of an identity column.
		IdentityOptions SequenceOptions
		Checks          []CheckDef
		References      *ForeignKeyDef // Columns left empty: this column
		Pos             int
	}

	// SequenceOptions are CREATE SEQUENCE's options; nil means the default.
	SequenceOptions struct {
		Start, Increment, Min, Max *int64
		Cycle                      bool
	}

	// CreateIndexStmt is CREATE [UNIQUE] INDEX [name] ON table (columns).
	CreateIndexStmt struct {
		Name        string // "" lets the server choose; the index goes in Table's schema
		Table       ObjectName
		Columns     []string
		Unique      bool
		IfNotExists bool
	}

	// DropIndexStmt is DROP INDEX [IF EXISTS] names.
	DropIndexStmt struct {
		Names    []ObjectName
		IfExists bool
	}

	// CreateSequenceStmt is CREATE SEQUENCE [IF NOT EXISTS] name options.
	CreateSequenceStmt struct {
		Name        ObjectName
		IfNotExists bool
		Options     SequenceOptions
	}

	DropTableStmt struct {
		Names    []ObjectName
		IfExists bool
		Cascade  bool
		View     bool // DROP VIEW
		Sequence bool // DROP SEQUENCE
	}

	// CreateViewStmt is CREATE [OR REPLACE] VIEW name [(cols)] AS query; SQL
	// is the query's text, which the catalog keeps.
	CreateViewStmt struct {
		Name      ObjectName
		Columns   []string
		Query     *SelectStmt
		SQL       string
		OrReplace bool
	}

	// TruncateStmt is TRUNCATE [TABLE] a, b [RESTART IDENTITY] [CASCADE].
	TruncateStmt struct {
		Names           []ObjectName
		RestartIdentity bool
		Cascade         bool
	}

	// VacuumStmt is VACUUM [ANALYZE] [tables] or ANALYZE [tables]; no
	// tables means all.
	// CheckpointStmt is CHECKPOINT or ALTER SYSTEM CHECKPOINT.
	CheckpointStmt struct{}

	// DeclareStmt is DECLARE name [options] CURSOR [WITH | WITHOUT HOLD] FOR query.
	DeclareStmt struct {
		Name  string
		Hold  bool
		Query *SelectStmt
	}
	// FetchStmt is FETCH or MOVE [NEXT | FORWARD [n | ALL] | n | ALL] [FROM | IN] name;
	// Count is negative for ALL.
	FetchStmt struct {
		Name  string
		Count int64
		Move  bool
	}
	// CloseStmt is CLOSE name or CLOSE ALL.
	CloseStmt struct {
		Name string
		All  bool
	}

	// ExplainStmt is EXPLAIN [ANALYZE] of a query or data-changing statement.
	ExplainStmt struct {
		Analyze, Verbose bool
		Stmt             Statement
	}

	VacuumStmt struct {
		Vacuum, Analyze bool
		Tables          []ObjectName
	}

	// AlterTableStmt is ALTER TABLE [IF EXISTS] t with one action, or
	// ALTER VIEW | SEQUENCE [IF EXISTS] name SET SCHEMA s.
	AlterTableStmt struct {
		Table    ObjectName
		IfExists bool
		// Object is what the statement names: "table", "view" or
		// "sequence".
		Object string
		Action AlterAction
	}

	// AlterAction is one ALTER TABLE action; exactly one field is set.
	AlterAction struct {
		// ADD [CONSTRAINT name] PRIMARY KEY (cols) | UNIQUE (cols)
		AddKey *KeyDef
		// ADD [CONSTRAINT name] CHECK (expr) | FOREIGN KEY ...
		AddCheck      *CheckDef
		AddForeignKey *ForeignKeyDef
		// ADD [COLUMN] [IF NOT EXISTS] def
		AddColumn         *ColumnDef
		AddColumnIfAbsent bool
		// DROP [COLUMN] [IF EXISTS] name [CASCADE]
		DropColumn string
		// DROP CONSTRAINT [IF EXISTS] name
		DropConstraint string
		DropIfExists   bool
		// RENAME [COLUMN] a TO b
		RenameColumn [2]string
		// RENAME TO name
		RenameTo string
		// SET SCHEMA name
		SetSchema string
		// OWNER TO role ("" for CURRENT_USER and SESSION_USER)
		SetOwner bool
		OwnerTo  string
		// ALTER [COLUMN] c SET / DROP NOT NULL, SET DEFAULT e, DROP DEFAULT
		AlterColumn *AlterColumn
	}

	// KeyDef is a PRIMARY KEY or UNIQUE constraint added by ALTER TABLE.
	KeyDef struct {
		Name       string
		PrimaryKey bool // else UNIQUE
		Columns    []string
	}

	// AlterColumn changes a column's NOT NULL or default.
	AlterColumn struct {
		Column                  string
		SetNotNull, DropNotNull bool
		SetDefault              Expr
		SetDefaultText          string
		DropDefault             bool
	}

	// CopyStmt is COPY t [(cols)] FROM STDIN | 'file' or COPY t [(cols)] |
	// (query) TO STDOUT | 'file', with options (format, header, delimiter,
	// null, quote, escape, encoding, freeze) under lower-case keys. Query is
	// the SELECT, VALUES or WITH query of COPY (query) TO, and Table is "" then.
	// IsFile marks a server file, named by File as written (a relative
	// path is relative to the data directory; COPY TO needs an absolute one).
	CopyStmt struct {
		Table   ObjectName
		Columns []string
		Query   *SelectStmt
		From    bool
		IsFile  bool
		File    string
		Options map[string]string
	}

	// TransactionStmt is BEGIN/START TRANSACTION, COMMIT/END or ROLLBACK/ABORT.
	TransactionStmt struct {
		Kind      string // "begin", "commit", "rollback"
		Isolation string // BEGIN ISOLATION LEVEL ..., "" when not given
	}

	// SetStmt is SET [SESSION|LOCAL] name = value | TO value, and RESET
	// name (Value "default"). Values are the items of a list value, each an
	// identifier (case-folded unless quoted), string or number; Value joins
	// them with ", ".
	SetStmt struct {
		Name   string
		Value  string
		Values []string
		Reset  bool // RESET name: completes with the tag RESET
		Local  bool // SET LOCAL: until the transaction ends
	}

	// PrepareStmt is PREPARE name [(types)] AS statement; Query is the
	// statement's text.
	PrepareStmt struct {
		Name  string
		Types []types.T
		Query string
	}
	// ExecuteStmt is EXECUTE name [(args)].
	ExecuteStmt struct {
		Name string
		Args []Expr
	}
	// DeallocateStmt is DEALLOCATE [PREPARE] name | ALL.
	DeallocateStmt struct {
		Name string
		All  bool
	}

	// DiscardStmt is DISCARD ALL | PLANS | SEQUENCES | TEMP, and RESET ALL
	// (What "reset all").
	DiscardStmt struct {
		What string
	}

	// ShowStmt is SHOW name (a word, section.key or the words of SHOW
	// TRANSACTION ISOLATION LEVEL); SHOW PARAMETERS parses as a SELECT.
	ShowStmt struct {
		Name string
	}

	// CreateSchemaStmt is CREATE SCHEMA [IF NOT EXISTS] [name] [AUTHORIZATION
	// role]; without a name the schema is named after the role.
	CreateSchemaStmt struct {
		Name        string
		Owner       string // "" for the current user
		IfNotExists bool
		// Elements are the CREATE TABLE, VIEW, INDEX and SEQUENCE
		// statements that follow, to create in the new schema.
		Elements []Statement
	}

	// DropSchemaStmt is DROP SCHEMA [IF EXISTS] names [CASCADE | RESTRICT].
	DropSchemaStmt struct {
		Names    []string
		IfExists bool
		Cascade  bool
	}

	// AlterSchemaStmt is ALTER SCHEMA name RENAME TO new | OWNER TO role.
	AlterSchemaStmt struct {
		Name     string
		RenameTo string
		SetOwner bool
		Owner    string // "" for the current user
	}
)

// ObjectName is the name of a table, view, sequence or index, qualified
// with its schema or not (Schema ""), in which case the search path finds
// it.
type ObjectName struct {
	Schema, Name string
}

// String is the name as PostgreSQL's messages show it: schema.name.
func (n ObjectName) String() string {
	if n.Schema == "" {
		return n.Name
	}
	return n.Schema + "." + n.Name
}

func (*SelectStmt) statement()         {}
func (*InsertStmt) statement()         {}
func (*UpdateStmt) statement()         {}
func (*DeleteStmt) statement()         {}
func (*CreateTableStmt) statement()    {}
func (*DropTableStmt) statement()      {}
func (*TransactionStmt) statement()    {}
func (*TruncateStmt) statement()       {}
func (*CreateViewStmt) statement()     {}
func (*CreateSequenceStmt) statement() {}
func (*CreateIndexStmt) statement()    {}
func (*DropIndexStmt) statement()      {}
func (*VacuumStmt) statement()         {}
func (*ExplainStmt) statement()        {}
func (*CheckpointStmt) statement()     {}
func (*DeclareStmt) statement()        {}
func (*FetchStmt) statement()          {}
func (*CloseStmt) statement()          {}
func (*AlterTableStmt) statement()     {}
func (*CopyStmt) statement()           {}
func (*SetStmt) statement()            {}
func (*ShowStmt) statement()           {}
func (*DiscardStmt) statement()        {}
func (*PrepareStmt) statement()        {}
func (*ExecuteStmt) statement()        {}
func (*DeallocateStmt) statement()     {}
func (*CreateSchemaStmt) statement()   {}
func (*DropSchemaStmt) statement()     {}
func (*AlterSchemaStmt) statement()    {}

// TableExpr is an item of a FROM clause.
type TableExpr interface{ tableExpr() }

type (
	TableRef struct {
		Name       ObjectName
		Alias      string
		ColAliases []string // t AS a(x, y)
		Pos        int
	}
	JoinExpr struct {
		Kind        string // "inner", "left", "right", "full", "cross"
		Left, Right TableExpr
		On          Expr
		Using       []string
		Natural     bool
	}
	// FuncRef is a set-returning function in FROM: generate_series(1, 3) AS g(n).
	FuncRef struct {
		Name       string
		Args       []Expr
		Named      map[string]Expr // name => value arguments, by lower-case name
		Ordinality bool            // WITH ORDINALITY: a bigint row number column follows
		Alias      string
		ColAliases []string
		Pos        int
	}
	SubqueryRef struct {
		Select     *SelectStmt
		Alias      string
		ColAliases []string
		Lateral    bool // may refer to the FROM items before it
	}
)

func (*TableRef) tableExpr()    {}
func (*JoinExpr) tableExpr()    {}
func (*SubqueryRef) tableExpr() {}
func (*FuncRef) tableExpr()     {}

type (
	// ColumnRef is [[schema.]table.]name.
	ColumnRef struct {
		Schema string // "" unless schema.table.name
		Table  string // "" when unqualified
		Name   string
		Pos    int
	}
	// Literal is a constant. Type is Unknown for quoted strings (their type
	// comes from context, as in PostgreSQL), Int4/Int8 for integers, Numeric for
	// decimal literals, Bool for TRUE/FALSE and Unknown with a NULL value for NULL.
	Literal struct {
		Value types.Value
		Type  types.T
		Pos   int
	}
	Param struct {
		N   int
		Pos int
	}
	BinaryExpr struct {
		Op   string // + - * / % ^ || = <> < <= > >= and or
		L, R Expr
		Pos  int
	}
	UnaryExpr struct {
		Op  string // "-", "+", "not"
		X   Expr
		Pos int
	}
	FuncCall struct {
		Name     string
		Args     []Expr
		Star     bool // count(*)
		Distinct bool
		OrderBy  []OrderItem // agg(x ORDER BY y): the order an aggregate reads its rows in
		Filter   Expr        // aggregate FILTER (WHERE ...)
		Over     *WindowSpec // window function call
		Pos      int
	}
	// WindowSpec is the OVER (...) of a window function call or a WINDOW
	// clause's definition. Ref names a window of the WINDOW clause that this
	// one copies and extends: OVER (w ORDER BY x). Bare is OVER w, which is
	// window w itself, frame included.
	WindowSpec struct {
		Ref         string
		Bare        bool
		PartitionBy []Expr
		OrderBy     []OrderItem
		Frame       *Frame // nil: the default frame
		Pos         int
	}
	// Frame is ROWS | RANGE | GROUPS BETWEEN Start AND End.
	Frame struct {
		Mode       string
		Start, End FrameBound
	}
	// FrameBound is UNBOUNDED PRECEDING/FOLLOWING, CURRENT ROW or
	// Offset PRECEDING/FOLLOWING.
	FrameBound struct {
		Kind   string
		Offset Expr
	}
	CastExpr struct {
		X    Expr
		Type types.T
		Pos  int
	}
	IsNullExpr struct {
		X   Expr
		Not bool
		Pos int
	}
	// IsBoolExpr is X IS [NOT] TRUE/FALSE/UNKNOWN.
	IsBoolExpr struct {
		X     Expr
		Not   bool
		Value string // "true", "false", "unknown"
		Pos   int
	}
	BetweenExpr struct {
		X, Lo, Hi Expr
		Not       bool
		Pos       int
	}
	InExpr struct {
		X        Expr
		List     []Expr
		Subquery *SelectStmt
		Not      bool
		Pos      int
	}
	LikeExpr struct {
		X, Pattern Expr
		Not, ILike bool
		Pos        int
	}
	// SimilarExpr is X [NOT] SIMILAR TO Pattern [ESCAPE Escape]; a nil
	// Escape means the default, backslash.
	SimilarExpr struct {
		X, Pattern, Escape Expr
		Not                bool
		Pos                int
	}
	CaseExpr struct {
		Operand Expr
		Whens   []When
		Else    Expr
		Pos     int
	}
	When struct{ Cond, Result Expr }
	// QuantifiedExpr is X op ANY|SOME|ALL (subquery), or over the elements
	// of an array expression when Array is set.
	QuantifiedExpr struct {
		Op     string
		X      Expr
		Select *SelectStmt
		Array  Expr
		All    bool
		Pos    int
	}
	// ArrayExpr is ARRAY[e, ...], or ARRAY(subquery) when Select is set.
	ArrayExpr struct {
		Elems  []Expr
		Select *SelectStmt
		Pos    int
	}
	// SubscriptExpr is X[Index].
	SubscriptExpr struct {
		X, Index Expr
		Pos      int
	}
	// FieldSelect is (X).Field: a field of a composite value, such as a
	// column of a function that returns a record.
	FieldSelect struct {
		X     Expr
		Field string
		Pos   int
	}
	// SubqueryExpr is a scalar subquery (SELECT ...) or EXISTS (SELECT ...).
	SubqueryExpr struct {
		Select *SelectStmt
		Exists bool
		Pos    int
	}
)

func (e *ColumnRef) Position() int      { return e.Pos }
func (e *Literal) Position() int        { return e.Pos }
func (e *Param) Position() int          { return e.Pos }
func (e *BinaryExpr) Position() int     { return e.Pos }
func (e *UnaryExpr) Position() int      { return e.Pos }
func (e *FuncCall) Position() int       { return e.Pos }
func (e *CastExpr) Position() int       { return e.Pos }
func (e *IsNullExpr) Position() int     { return e.Pos }
func (e *IsBoolExpr) Position() int     { return e.Pos }
func (e *BetweenExpr) Position() int    { return e.Pos }
func (e *InExpr) Position() int         { return e.Pos }
func (e *LikeExpr) Position() int       { return e.Pos }
func (e *SimilarExpr) Position() int    { return e.Pos }
func (e *CaseExpr) Position() int       { return e.Pos }
func (e *SubqueryExpr) Position() int   { return e.Pos }
func (e *QuantifiedExpr) Position() int { return e.Pos }
func (e *ArrayExpr) Position() int      { return e.Pos }
func (e *SubscriptExpr) Position() int  { return e.Pos }
func (e *FieldSelect) Position() int    { return e.Pos }

// ValuesRef is a VALUES list used as a table.
type ValuesRef struct {
	Rows  [][]Expr
	Alias string
}

func (*ValuesRef) tableExpr() {}

// DefaultExpr is the DEFAULT keyword in INSERT VALUES or UPDATE SET.
type DefaultExpr struct{ Pos int }

func (e *DefaultExpr) Position() int { return e.Pos }
