package rustydb

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/klauspost/compress/zstd"

	"rustydb/sqlerr"
)

// Server files of COPY FROM 'file' and COPY TO 'file', as in PostgreSQL:
// only a superuser may use them (PostgreSQL also admits members of
// pg_read_server_files and pg_write_server_files; RustyDB has no role
// membership yet), COPY TO needs an absolute path, and a relative COPY FROM
// path is relative to the data directory. Files named *.gz are gzip
// streams and *.zst or *.zstd zstd streams, both when read and written.
// Errors carry PostgreSQL's SQLSTATEs for file access (58P01 for a missing
// file, 42501 for a permission problem, 42809 for a directory).

// checkServerFiles refuses server files to a role that is not a superuser.
func (s *Session) checkServerFiles(from bool) error {
	if s.superuser() {
		return nil
	}
	role, dir := "pg_write_server_files", "to"
	if from {
		role, dir = "pg_read_server_files", "from"
	}
	return sqlerr.New(sqlerr.InsufficientPrivilege, "must be superuser or have privileges of the %s role to COPY %s a file", role, dir).
		WithHint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")
}

// compression of a COPY file, from its name.
func compression(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".gz":
		return "gzip"
	case ".zst", ".zstd":
		return "zstd"
	}
	return ""
}

// openCopyFile opens the server file name for COPY FROM, relative to dir
// unless absolute, decompressing it when its name says so.
func openCopyFile(dir, name string) (io.ReadCloser, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		e := fileError(err, "could not open file \"%s\" for reading", name)
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EACCES) {
			e.WithHint("COPY FROM instructs the database server process to read a file. You may want a client-side facility such as psql's \\copy.")
		}
		return nil, e
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fileError(err, "could not stat file \"%s\"", name)
	}
	if st.IsDir() {
		f.Close()
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a directory", name)
	}
	r := &copyFileReader{name: name, f: f, r: bufio.NewReaderSize(f, 256<<10)}
	switch compression(name) {
	case "gzip":
		z, err := gzip.NewReader(r.r)
		if err != nil {
			f.Close()
			return nil, fileError(err, "could not read from COPY file \"%s\"", name)
		}
		r.r, r.z = z, z
	case "zstd":
		z, err := zstd.NewReader(r.r)
		if err != nil {
			f.Close()
			return nil, fileError(err, "could not read from COPY file \"%s\"", name)
		}
		rc := z.IOReadCloser()
		r.r, r.z = rc, rc
	}
	return r, nil
}

// copyFileReader reads a COPY FROM file, reporting read errors as SQL errors.
type copyFileReader struct {
	name string
	f    *os.File
	z    io.Closer // the decompressor, or nil
	r    io.Reader
}

func (r *copyFileReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = fileError(err, "could not read from COPY file \"%s\"", r.name)
	}
	return n, err
}

func (r *copyFileReader) Close() error {
	if r.z != nil {
		r.z.Close()
	}
	return r.f.Close()
}

// createCopyFile creates (or truncates) the server file name for COPY TO,
// compressing what is written when its name says so.
func createCopyFile(name string) (*copyFileWriter, error) {
	if !filepath.IsAbs(name) {
		return nil, sqlerr.New(sqlerr.InvalidName, "relative path not allowed for COPY to file")
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		e := fileError(err, "could not open file \"%s\" for writing", name)
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EACCES) {
			e.WithHint("COPY TO instructs the database server process to write a file. You may want a client-side facility such as psql's \\copy.")
		}
		return nil, e
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		if err != nil {
			return nil, fileError(err, "could not stat file \"%s\"", name)
		}
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a directory", name)
	}
	w := &copyFileWriter{name: name, f: f}
	var under io.Writer = f
	switch compression(name) {
	case "gzip":
		z := gzip.NewWriter(f)
		w.z, under = z, z
	case "zstd":
		z, err := zstd.NewWriter(f)
		if err != nil {
			f.Close()
			return nil, fileError(err, "could not write to COPY file \"%s\"", name)
		}
		w.z, under = z, z
	}
	w.bw = bufio.NewWriterSize(under, 256<<10)
	return w, nil
}

// copyFileWriter writes a COPY TO file; Close finishes the compressed
// stream and closes the file.
type copyFileWriter struct {
	name string
	f    *os.File
	z    io.WriteCloser // the compressor, or nil
	bw   *bufio.Writer
}

func (w *copyFileWriter) Write(p []byte) (int, error) {
	n, err := w.bw.Write(p)
	if err != nil {
		err = fileError(err, "could not write to COPY file \"%s\"", w.name)
	}
	return n, err
}

// Close flushes what is buffered and closes the file; the first error is
// returned, and the file is closed in any case.
func (w *copyFileWriter) Close() error {
	err := w.bw.Flush()
	if w.z != nil {
		if zerr := w.z.Close(); err == nil {
			err = zerr
		}
	}
	if ferr := w.f.Close(); err == nil && ferr != nil {
		return fileError(ferr, "could not close file \"%s\"", w.name)
	}
	if err != nil {
		return fileError(err, "could not write to COPY file \"%s\"", w.name)
	}
	return nil
}

// fileError reports a failed file operation with PostgreSQL's SQLSTATE
// for its errno (see sqlerr.FileError, which read_parquet shares).
func fileError(err error, format string, args ...any) *sqlerr.Error {
	return sqlerr.FileError(err, format, args...)
}
