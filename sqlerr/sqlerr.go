// Package sqlerr is the error type every layer of RustyDB returns to a client:
// a PostgreSQL SQLSTATE, a message a person can act on, and optional detail,
// hint and cursor position. The wire protocol sends these fields unchanged in
// an ErrorResponse, so a psql or driver user sees the same codes PostgreSQL uses.
package sqlerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes used by the engine (PostgreSQL Appendix A).
const (
	SuccessfulCompletion       = "00000"
	ConnectionException        = "08000"
	ProtocolViolation          = "08P01"
	FeatureNotSupported        = "0A000"
	CardinalityViolation       = "21000"
	StringDataRightTruncation  = "22001"
	NumericValueOutOfRange     = "22003"
	InvalidDatetimeFormat      = "22007"
	DatetimeFieldOverflow      = "22008"
	DivisionByZero             = "22012"
	SubstringError             = "22011"
	InvalidParameterValue      = "22023"
	InvalidTextRepresentation  = "22P02"
	NotNullViolation           = "23502"
	UniqueViolation            = "23505"
	ForeignKeyViolation        = "23503"
	CheckViolation             = "23514"
	InvalidForeignKey          = "42830"
	DependentObjectsStillExist = "2BP01"
	DuplicateObject            = "42710"
	InvalidSchemaName          = "3F000"
	DuplicateCursor            = "42P03"
	ActiveSQLTransaction       = "25001"
	NoActiveSQLTransaction     = "25P01"
	InFailedSQLTransaction     = "25P02"
	InvalidAuthorization       = "28000"
	InvalidPassword            = "28P01"
	InvalidCatalogName         = "3D000"
	SerializationFailure       = "40001"
	SyntaxError                = "42601"
	InsufficientPrivilege      = "42501"
	UndefinedColumn            = "42703"
	UndefinedFunction          = "42883"
	UndefinedTable             = "42P01"
	UndefinedObject            = "42704"
	DuplicateColumn            = "42701"
	CantChangeRuntimeParam     = "55P02"
	DuplicateTable             = "42P07"
	DuplicateSchema            = "42P06"
	InvalidSchemaDefinition    = "42P15"
	AmbiguousColumn            = "42702"
	DuplicateAlias             = "42712"
	InvalidColumnReference     = "42P10"
	DatatypeMismatch           = "42804"
	CannotCoerce               = "42846"
	GroupingError              = "42803"
	WindowingError             = "42P20"
	InvalidColumnDefinition    = "42611"
	InvalidTableDefinition     = "42P16"
	ProgramLimitExceeded       = "54000"
	TooManyColumns             = "54011"
	QueryCanceled              = "57014"
	AdminShutdown              = "57P01"
	CannotConnectNow           = "57P03"
	IOError                    = "58030"
	DiskFull                   = "53100"
	OutOfMemory                = "53200"
	InternalError              = "XX000"
	DataCorrupted              = "XX001"
	TooManyConnections         = "53300"
	ObjectNotInPrerequisiteSt  = "55000"
	ObjectInUse                = "55006"
	ReservedName               = "42939"
	InvalidTransactionState    = "25000"
	InvalidSQLStatementName    = "26000"
	InvalidCursorName          = "34000"
	IndeterminateDatatype      = "42P18"
	WrongObjectType            = "42809"
	InvalidTransactionTerm     = "2D000"
	ReadOnlySQLTransaction     = "25006"
	InvalidEscapeSequence      = "22025"
	InvalidRegularExpression   = "2201B"
	CharacterNotInRepertoire   = "22021"
	InvalidBinaryRepresentatio = "22P03"
	BadCopyFileFormat          = "22P04"
	InvalidName                = "42602"
	UndefinedFile              = "58P01"
	DuplicateFile              = "58P02"
	InsufficientResources      = "53000"
)

// Error is a SQL error with a SQLSTATE.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int // 1-based character offset into the statement, 0 when unknown
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s (SQLSTATE %s): %s", e.Message, e.Code, e.Detail)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
}

// New returns an error with the given SQLSTATE and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetail sets the detail and returns e for chaining.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// WithHint sets the hint and returns e for chaining.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithPosition sets the 1-based cursor position and returns e.
func (e *Error) WithPosition(pos int) *Error {
	e.Position = pos
	return e
}

// From converts any error into an *Error; errors without a SQLSTATE become
// XX000 internal errors, keeping their text.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: InternalError, Message: err.Error()}
}

// Code returns the SQLSTATE of err, or "" if err carries none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
