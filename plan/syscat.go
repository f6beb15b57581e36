package plan

import (
	"strings"

	"rustydb/catalog"
	"rustydb/types"
)

// SystemScan reads a system catalog table (pg_catalog or
// information_schema), whose rows the executor derives from RustyDB's own
// catalog when the statement runs.
type SystemScan struct {
	Name string
	Cols []Column
}

func (n *SystemScan) Columns() []Column { return n.Cols }

// systemTables are the pg_catalog and information_schema tables that psql's
// backslash commands, drivers and GUI tools read, with PostgreSQL's column
// names and types (oid columns are bigint). Tables RustyDB has nothing for
// (policies, publications, inheritance, ...) are here so that queries
// joining them work; they have no rows.
var systemTables = map[string][]catalog.Column{}

func init() {
	const (
		i2, i4, i8, tx, bo, f4 = types.Int2, types.Int4, types.Int8, types.Text, types.Bool, types.Float4
		ts, arr                = types.Timestamp, types.Array
	)
	add := func(name, spec string) {
		var cols []catalog.Column
		for _, f := range strings.Fields(spec) {
			n, typ, _ := strings.Cut(f, ":")
			var t types.T
			switch typ {
			case "i2":
				t = types.T{ID: i2}
			case "i4":
				t = types.T{ID: i4}
			case "i8":
				t = types.T{ID: i8}
			case "t":
				t = types.T{ID: tx}
			case "b":
				t = types.T{ID: bo}
			case "f4":
				t = types.T{ID: f4}
			case "f8":
				t = types.TFloat8
			case "ts":
				t = types.T{ID: ts}
			case "tstz":
				t = types.TTimestampTZ
			case "t[]":
				t = types.T{ID: arr, Elem: tx}
			case "i2[]":
				t = types.T{ID: arr, Elem: i2}
			case "i8[]":
				t = types.T{ID: arr, Elem: i8}
			default:
				panic("syscat: bad column type " + f)
			}
			cols = append(cols, catalog.Column{Name: n, Type: t})
		}
		systemTables[name] = cols
	}
	add("pg_namespace", "oid:i8 nspname:t nspowner:i8 nspacl:t[]")
	add("pg_class", `oid:i8 relname:t relnamespace:i8 reltype:i8 reloftype:i8 relowner:i8 relam:i8 relfilenode:i8
		reltablespace:i8 relpages:i4 reltuples:f4 relallvisible:i4 reltoastrelid:i8 relhasindex:b relisshared:b
		relpersistence:t relkind:t relnatts:i2 relchecks:i2 relhasrules:b relhastriggers:b relhassubclass:b
		relrowsecurity:b relforcerowsecurity:b relispopulated:b relreplident:t relispartition:b relrewrite:i8
		relacl:t[] reloptions:t[] relpartbound:t`)
	add("pg_am", "oid:i8 amname:t amhandler:i8 amtype:t")
	add("pg_attribute", `attrelid:i8 attname:t atttypid:i8 attstattarget:i4 attlen:i2 attnum:i2 attndims:i4
		attcacheoff:i4 atttypmod:i4 attbyval:b attalign:t attstorage:t attcompression:t attnotnull:b atthasdef:b
		atthasmissing:b attidentity:t attgenerated:t attisdropped:b attislocal:b attinhcount:i4 attcollation:i8
		attacl:t[] attoptions:t[] attfdwoptions:t[]`)
	add("pg_attrdef", "oid:i8 adrelid:i8 adnum:i2 adbin:t")
	add("pg_type", `oid:i8 typname:t typnamespace:i8 typowner:i8 typlen:i2 typbyval:b typtype:t typcategory:t
		typispreferred:b typisdefined:b typdelim:t typrelid:i8 typelem:i8 typarray:i8 typinput:t typoutput:t
		typnotnull:b typbasetype:i8 typtypmod:i4 typndims:i4 typcollation:i8 typdefault:t`)
	add("pg_index", `indexrelid:i8 indrelid:i8 indnatts:i2 indnkeyatts:i2 indisunique:b indnullsnotdistinct:b
		indisprimary:b indisexclusion:b indimmediate:b indisclustered:b indisvalid:b indcheckxmin:b indisready:b
		indislive:b indisreplident:b indkey:i2[] indcollation:i8[] indclass:i8[] indoption:i2[] indexprs:t indpred:t`)
	add("pg_constraint", `oid:i8 conname:t connamespace:i8 contype:t condeferrable:b condeferred:b convalidated:b
		conrelid:i8 contypid:i8 conindid:i8 conparentid:i8 confrelid:i8 confupdtype:t confdeltype:t
		confmatchtype:t conislocal:b coninhcount:i4 connoinherit:b conkey:i2[] confkey:i2[] conbin:t`)
	add("pg_database", `oid:i8 datname:t datdba:i8 encoding:i4 datlocprovider:t datistemplate:b datallowconn:b
		datconnlimit:i4 dattablespace:i8 datcollate:t datctype:t daticulocale:t datcollversion:t datacl:t[]`)
	add("pg_roles", `oid:i8 rolname:t rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b
		rolreplication:b rolconnlimit:i4 rolpassword:t rolvaliduntil:ts rolbypassrls:b rolconfig:t[]`)
	add("pg_user", `usename:t usesysid:i8 usecreatedb:b usesuper:b userepl:b usebypassrls:b passwd:t valuntil:ts
		useconfig:t[]`)
	add("pg_auth_members", "roleid:i8 member:i8 grantor:i8 admin_option:b")
	add("pg_default_acl", "oid:i8 defaclrole:i8 defaclnamespace:i8 defaclobjtype:t defaclacl:t[]")
	add("pg_tablespace", "oid:i8 spcname:t spcowner:i8 spcacl:t[] spcoptions:t[]")
	add("pg_sequence", "seqrelid:i8 seqtypid:i8 seqstart:i8 seqincrement:i8 seqmax:i8 seqmin:i8 seqcache:i8 seqcycle:b")
	add("pg_proc", `oid:i8 proname:t pronamespace:i8 proowner:i8 prolang:i8 prokind:t prorettype:i8 proargtypes:i8[]
		proretset:b`)
	add("pg_collation", "oid:i8 collname:t collnamespace:i8 collprovider:t collencoding:i4 collcollate:t collctype:t")
	add("pg_policy", "oid:i8 polname:t polrelid:i8 polcmd:t polpermissive:b polroles:i8[] polqual:t polwithcheck:t")
	add("pg_statistic_ext", "oid:i8 stxrelid:i8 stxname:t stxnamespace:i8 stxowner:i8 stxstattarget:i4 stxkeys:i2[] stxkind:t[]")
	add("pg_publication", "oid:i8 pubname:t pubowner:i8 puballtables:b pubinsert:b pubupdate:b pubdelete:b pubtruncate:b pubviaroot:b")
	add("pg_publication_namespace", "oid:i8 pnpubid:i8 pnnspid:i8")
	add("pg_publication_rel", "oid:i8 prpubid:i8 prrelid:i8 prqual:t prattrs:i2[]")
	add("pg_inherits", "inhrelid:i8 inhparent:i8 inhseqno:i4 inhdetachpending:b")
	add("pg_description", "objoid:i8 classoid:i8 objsubid:i4 description:t")
	add("pg_trigger", "oid:i8 tgrelid:i8 tgparentid:i8 tgname:t tgfoid:i8 tgtype:i2 tgenabled:t tgisinternal:b tgconstraint:i8")
	add("pg_depend", "classid:i8 objid:i8 objsubid:i4 refclassid:i8 refobjid:i8 refobjsubid:i4 deptype:t")
	add("pg_rewrite", "oid:i8 rulename:t ev_class:i8 ev_type:t ev_enabled:t is_instead:b ev_qual:t ev_action:t")
	add("pg_foreign_table", "ftrelid:i8 ftserver:i8 ftoptions:t[]")
	add("pg_extension", "oid:i8 extname:t extowner:i8 extnamespace:i8 extrelocatable:b extversion:t")
	add("pg_tables", "schemaname:t tablename:t tableowner:t tablespace:t hasindexes:b hasrules:b hastriggers:b rowsecurity:b")
	add("pg_views", "schemaname:t viewname:t viewowner:t definition:t")
	add("pg_indexes", "schemaname:t tablename:t indexname:t tablespace:t indexdef:t")
	add("pg_sequences", `schemaname:t sequencename:t sequenceowner:t data_type:t start_value:i8 min_value:i8 max_value:i8
		increment_by:i8 cycle:b cache_size:i8 last_value:i8`)
	// the Administration Guide's views over live state
	add("v$buffer_pool_stats", `pool_pages:i8 pages_used:i8 dirty_pages:i8 hits:i8 misses:i8 hit_ratio:f8
		evictions:i8 page_writes:i8 usage_percent:f8`)
	add("v$wal_stats", "bytes_written:i8 records:i8 fsyncs:i8 group_commits:i8 segments_created:i8 segments_removed:i8 unusable:b")
	add("v$database", "name:t version:t io_engine:t data_dir:t checkpoints:i8 tables:i8 uptime_seconds:f8")
	add("v$parameter", `name:t config_key:t value:t default_value:t type:t unit:t is_dynamic:b
		is_session_modifiable:b is_modified:b source:t scope:t description:t`)
	add("pg_settings", `name:t setting:t unit:t category:t short_desc:t extra_desc:t context:t vartype:t source:t
		min_val:t max_val:t enumvals:t[] boot_val:t reset_val:t sourcefile:t sourceline:i4 pending_restart:b`)
	add("v$parameter_history", "change_time:tstz name:t old_value:t new_value:t scope:t username:t")
	for name, spec := range liveViews {
		add(name, spec)
	}
	add("dba_tables", "owner:t table_name:t num_rows:i8 blocks:i8 last_analyzed:t")
	add("dba_indexes", "owner:t index_name:t table_name:t uniqueness:t column_names:t")
	add("dba_objects", "owner:t object_name:t object_type:t object_id:i8 status:t")
	add("information_schema.schemata", "catalog_name:t schema_name:t schema_owner:t")
	add("information_schema.tables", "table_catalog:t table_schema:t table_name:t table_type:t is_insertable_into:t")
	add("information_schema.table_privileges", `grantor:t grantee:t table_catalog:t table_schema:t table_name:t
		privilege_type:t is_grantable:t with_hierarchy:t`)
	add("information_schema.column_privileges", `grantor:t grantee:t table_catalog:t table_schema:t table_name:t
		column_name:t privilege_type:t is_grantable:t`)
	add("information_schema.views", "table_catalog:t table_schema:t table_name:t view_definition:t")
	add("information_schema.columns", `table_catalog:t table_schema:t table_name:t column_name:t ordinal_position:i4
		column_default:t is_nullable:t data_type:t character_maximum_length:i4 numeric_precision:i4
		numeric_scale:i4 datetime_precision:i4 udt_name:t is_identity:t identity_generation:t`)
	add("information_schema.table_constraints", `constraint_catalog:t constraint_schema:t constraint_name:t
		table_catalog:t table_schema:t table_name:t constraint_type:t is_deferrable:t initially_deferred:t`)
	add("information_schema.key_column_usage", `constraint_catalog:t constraint_schema:t constraint_name:t
		table_catalog:t table_schema:t table_name:t column_name:t ordinal_position:i4 position_in_unique_constraint:i4`)
}

func systemScan(name, alias string) *SystemScan {
	cols := systemTables[name]
	if cols == nil {
		return nil
	}
	if alias == name { // information_schema.tables is "tables" in the query
		alias = name[strings.LastIndexByte(name, '.')+1:]
	}
	out := make([]Column, len(cols))
	for i, c := range cols {
		out[i] = Column{Name: c.Name, Type: c.Type, Table: alias}
	}
	return &SystemScan{Name: name, Cols: out}
}
