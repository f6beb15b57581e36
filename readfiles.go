package rustydb

import (
	"io"
	"path/filepath"

	"rustydb/exec"
	"rustydb/plan"
	"rustydb/sqlerr"
)

// The table functions read_csv('file') and read_json('file') read server
// files, so, like COPY FROM 'file', they are for superusers only; a
// relative path is relative to the data directory, and *.gz and *.zst
// files are decompressed. The binder calls readFiles to check the role and
// sniff the file's columns (exec.SniffFile); the scan opens the file again
// through openReadFile when it runs.

// readFiles is the binder's Files hook.
func (s *Session) readFiles(n *plan.FileScan) error {
	if !filepath.IsAbs(n.Path) {
		n.Path = filepath.Join(s.db.opts.Dir, n.Path)
	}
	f, err := s.openReadFile(n.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	return exec.SniffFile(n, f)
}

// openFileHook returns openReadFile as exec.Context's OpenFile.
func (s *Session) openFileHook() func(path string) (io.ReadCloser, error) {
	if s.openFile == nil {
		s.openFile = s.openReadFile
	}
	return s.openFile
}

// openReadFile opens a file of read_csv or read_json for a superuser.
func (s *Session) openReadFile(path string) (io.ReadCloser, error) {
	if !s.superuser() {
		return nil, sqlerr.New(sqlerr.InsufficientPrivilege, "must be superuser or have privileges of the pg_read_server_files role to read server files").
			WithHint("Load the file with psql's \\copy into a table instead.")
	}
	return openCopyFile(s.db.opts.Dir, path)
}
