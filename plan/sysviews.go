package plan

import "rustydb/types"

// liveViews are the Administration Guide's views over the server's live
// state — sessions, statement statistics, performance, memory, waits, WAL
// files, health, table and index usage — and PostgreSQL's pg_stat_activity
// and pg_stat_statements over the same data, in systemTables' notation
// (tz is timestamp with time zone). exec/sysviews.go computes their rows
// when a statement reads them.
var liveViews = map[string]string{
	"v$session": `sid:i8 username:t status:t state:t program:t client_address:t logon_time:tstz sql_id:t sql_text:t
		sql_start:tstz elapsed_ms:f8 last_call_et:i8 tx_start:tstz rows_processed:i8 bytes_processed:i8 wait_class:t
		event:t blocking_session:i8 database:t`,
	"v$active_queries": `sid:i8 username:t program:t sql_id:t sql_text:t sql_start:tstz elapsed_ms:f8 rows_processed:i8
		bytes_processed:i8 wait_class:t event:t blocking_session:i8`,
	"pg_stat_activity": `datid:i8 datname:t pid:i4 leader_pid:i4 usesysid:i8 usename:t application_name:t client_addr:t
		client_hostname:t client_port:i4 backend_start:tstz xact_start:tstz query_start:tstz state_change:tstz
		wait_event_type:t wait_event:t state:t backend_xid:i8 backend_xmin:i8 query_id:i8 query:t backend_type:t`,
	"v$sql_statistics": `sql_id:t sql_text:t executions:i8 total_time_ms:f8 avg_time_ms:f8 min_time_ms:f8 max_time_ms:f8
		stddev_time_ms:f8 rows:i8 first_executed:tstz last_executed:tstz`,
	"pg_stat_statements": `queryid:i8 query:t calls:i8 total_exec_time:f8 min_exec_time:f8 max_exec_time:f8
		mean_exec_time:f8 stddev_exec_time:f8 rows:i8`,
	"v$system_performance": "metric_name:t value:f8 metric_unit:t",
	"v$memory_usage":       "component:t used_bytes:i8 max_bytes:i8 description:t",
	"v$system_wait_events": "event:t wait_class:t total_waits:i8 time_waited_ms:f8 avg_wait_ms:f8",
	"v$log":                "file_name:t first_lsn:i8 next_lsn:i8 bytes:i8 status:t",
	"v$health_check":       "component:t status:t message:t latency_ms:f8 checked_at:tstz",
	"v$table_statistics": `schema_name:t table_name:t live_rows:i8 dead_rows:i8 pages:i8 heap_bytes:i8 segments:i8
		segment_rows:i8 segment_bytes:i8 segment_disk_bytes:i8 seq_scans:i8 index_scans:i8 analyzed_rows:i8 last_vacuum:tstz
		last_autovacuum:tstz last_analyze:tstz`,
	"v$index_statistics": "schema_name:t index_name:t table_name:t column_names:t is_unique:b is_primary:b entries:i8 scans:i8",
}

func init() {
	for name, sig := range sessionFuncs {
		funcs[name] = sig
	}
}

// sessionFuncs are PostgreSQL's functions over sessions (exec/sysviews.go
// evaluates them). pg_sleep returns void in PostgreSQL, which prints as an
// empty string; here it returns that string.
var sessionFuncs = map[string]funcSig{
	"pg_sleep":             {1, 1, argsOf(types.TText, types.TFloat8)},
	"pg_backend_pid":       {0, 0, fixed(types.TInt4)},
	"pg_cancel_backend":    {1, 1, argsOf(types.TBool, types.TInt4)},
	"pg_terminate_backend": {1, 2, argsOf(types.TBool, types.TInt4, types.TInt8)},
	"current_setting":      {1, 2, argsOf(types.TText, types.TText, types.TBool)},
}
