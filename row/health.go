package row

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"rustydb/wal"
)

// Health checks: the storage's own view of whether it can go on, which the
// REST API (GET /api/v1/admin/health) and v$health_check both report.

// HealthStatus grades a component, from best to worst, so that the overall
// status is the maximum.
type HealthStatus int

const (
	Healthy HealthStatus = iota
	Degraded
	Unhealthy
	Critical
)

func (s HealthStatus) String() string {
	return [...]string{"HEALTHY", "DEGRADED", "UNHEALTHY", "CRITICAL"}[s]
}

func (s HealthStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// HealthComponent is the result of one check.
type HealthComponent struct {
	Name      string       `json:"name"`
	Status    HealthStatus `json:"status"`
	Message   string       `json:"message"`
	LatencyMs float64      `json:"latency_ms"` // time the check itself took
}

// Health runs the checks on the store now.
func (s *Store) Health() []HealthComponent {
	return CheckHealth(s.opts.Dir, s.opts.WALDir, s.log.Err() != nil, s.Uptime())
}

// CheckHealth runs the checks: the data and WAL directories take a durable
// write, the WAL has not failed (walFailed), the disk has free space.
func CheckHealth(dataDir, walDir string, walFailed bool, uptime time.Duration) []HealthComponent {
	return []HealthComponent{
		timed("data_directory", func() (HealthStatus, string) { return probeDir(dataDir) }),
		timed("wal", func() (HealthStatus, string) {
			if walFailed {
				return Critical, "WAL failed an fsync; restart the server"
			}
			return probeDir(walDir)
		}),
		timed("disk_space", func() (HealthStatus, string) { return diskSpace(dataDir) }),
		timed("uptime", func() (HealthStatus, string) {
			return Healthy, "up " + uptime.Round(time.Second).String()
		}),
	}
}

// timed runs one health check and records how long it took.
func timed(name string, check func() (HealthStatus, string)) HealthComponent {
	start := time.Now()
	status, msg := check()
	return HealthComponent{Name: name, Status: status, Message: msg, LatencyMs: msSince(start)}
}

func msSince(t time.Time) float64 { return float64(time.Since(t)) / float64(time.Millisecond) }

// probeDir proves that dir takes durable writes, the way the engine uses it:
// create, write and fsync a small file, then remove it.
func probeDir(dir string) (HealthStatus, string) {
	if dir == "" {
		// os.CreateTemp would silently probe the system temp directory instead.
		return Critical, "no directory configured"
	}
	start := time.Now()
	f, err := os.CreateTemp(dir, ".rustydb-health-*")
	if err != nil {
		return Critical, err.Error()
	}
	_, err = f.Write([]byte("rustydb health probe\n"))
	err = errors.Join(err, f.Sync(), f.Close(), os.Remove(f.Name()))
	if err != nil {
		return Critical, err.Error()
	}
	return Healthy, fmt.Sprintf("%s: write+fsync probe took %.3f ms", dir, msSince(start))
}

// diskSpace grades the free space, as seen by an unprivileged writer, of the
// filesystem holding dir.
func diskSpace(dir string) (HealthStatus, string) {
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return Unhealthy, fmt.Sprintf("statfs %s: %v", dir, err)
	}
	if fs.Blocks == 0 {
		return Unhealthy, dir + ": filesystem reports zero size"
	}
	free := fs.Bavail * uint64(fs.Bsize)
	total := fs.Blocks * uint64(fs.Bsize)
	pct := 100 * float64(free) / float64(total)
	status := Healthy
	switch {
	case pct < 5:
		status = Unhealthy
	case pct <= 10:
		status = Degraded
	}
	const gib = 1 << 30
	return status, fmt.Sprintf("%.1f%% free (%.2f GiB of %.2f GiB)", pct, float64(free)/gib, float64(total)/gib)
}

// CheckpointLSN returns the redo LSN of the last checkpoint: recovery
// replays the WAL from there.
func (s *Store) CheckpointLSN() wal.LSN { return wal.LSN(s.redoLSN.Load()) }
