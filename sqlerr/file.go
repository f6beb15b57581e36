package sqlerr

import (
	"errors"
	"strings"
	"syscall"
)

// FileError reports a failed file operation as PostgreSQL does: the
// message followed by the operating system's reason, with the SQLSTATE
// PostgreSQL gives that errno (errcode_for_file_access). Errors without
// an errno (a corrupt compressed stream) are 58030 I/O errors; an err
// that already is an *Error is returned as it is.
func FileError(err error, format string, args ...any) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	code, reason := IOError, err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		reason = errno.Error()
		if reason != "" {
			reason = strings.ToUpper(reason[:1]) + reason[1:] // strerror's "No such file or directory"
		}
		switch errno {
		case syscall.EPERM, syscall.EACCES, syscall.EROFS:
			code = InsufficientPrivilege
		case syscall.ENOENT:
			code = UndefinedFile
		case syscall.EEXIST:
			code = DuplicateFile
		case syscall.ENOTDIR, syscall.EISDIR, syscall.ENOTEMPTY:
			code = WrongObjectType
		case syscall.ENOSPC:
			code = DiskFull
		case syscall.ENFILE, syscall.EMFILE:
			code = InsufficientResources
		}
	}
	e := New(code, format, args...)
	e.Message += ": " + reason
	return e
}
