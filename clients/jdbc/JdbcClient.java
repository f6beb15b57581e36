// JdbcClient checks that pgJDBC works against a running RustyDB server:
// DDL, prepared statements with parameters of the common types, a batch
// insert, a transaction rolled back and one committed, SQLSTATEs of
// errors, and DatabaseMetaData.getTables / getColumns / getPrimaryKeys /
// getIndexInfo / getImportedKeys, which tools such as DBeaver and IntelliJ
// read the schema with. scripts/test-clients.sh
// runs it as a single-file program (java -cp postgresql.jar JdbcClient.java URL).
import java.math.BigDecimal;
import java.sql.*;
import java.util.ArrayList;
import java.util.List;

public class JdbcClient {
    static int checks = 0;

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("FAILED: " + what);
        }
        checks++;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp postgresql.jar JdbcClient.java jdbc:postgresql://host:port/rustydb?user=...");
            System.exit(2);
        }
        try (Connection c = DriverManager.getConnection(args[0])) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jdbc_items");
                st.execute("CREATE TABLE jdbc_items (id int PRIMARY KEY, name varchar(40) NOT NULL, "
                        + "price numeric(10,2), created timestamp, active boolean)");
            }

            // Prepared statements with parameters.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?, ?, ?)")) {
                ps.setInt(1, 1);
                ps.setString(2, "widget");
                ps.setBigDecimal(3, new BigDecimal("9.99"));
                ps.setTimestamp(4, Timestamp.valueOf("2024-01-02 03:04:05"));
                ps.setBoolean(5, true);
                check(ps.executeUpdate() == 1, "prepared INSERT updates one row");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, price, created, active FROM jdbc_items WHERE id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "prepared SELECT finds the row");
                    check(rs.getString(1).equals("widget"), "varchar round trip");
                    check(rs.getBigDecimal(2).compareTo(new BigDecimal("9.99")) == 0, "numeric round trip");
                    check(rs.getTimestamp(3).equals(Timestamp.valueOf("2024-01-02 03:04:05")), "timestamp round trip");
                    check(rs.getBoolean(4), "boolean round trip");
                    check(!rs.next(), "one row only");
                }
            }

            // A batch insert.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_items (id, name, price) VALUES (?, ?, ?)")) {
                for (int i = 100; i < 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item " + i);
                    ps.setBigDecimal(3, BigDecimal.valueOf(i, 1));
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length == 100, "batch returns 100 counts");
                for (int n : counts) {
                    check(n == 1 || n == Statement.SUCCESS_NO_INFO, "each batch entry inserts a row");
                }
            }
            check(count(c, "SELECT count(*) FROM jdbc_items") == 101, "batch rows are there");

            // Transactions: a rollback leaves nothing, a commit keeps.
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO jdbc_items (id, name) VALUES (2, 'rolled back')");
                c.rollback();
                check(count(c, "SELECT count(*) FROM jdbc_items WHERE id = 2") == 0, "rollback undoes the insert");
                st.executeUpdate("INSERT INTO jdbc_items (id, name) VALUES (3, 'committed')");
                st.executeUpdate("UPDATE jdbc_items SET price = price * 2 WHERE id BETWEEN 100 AND 109");
                c.commit();
            }
            c.setAutoCommit(true);
            check(count(c, "SELECT count(*) FROM jdbc_items WHERE id = 3") == 1, "commit keeps the insert");

            // Errors carry PostgreSQL's SQLSTATE.
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO jdbc_items (id, name) VALUES (1, 'duplicate')");
                check(false, "duplicate key is refused");
            } catch (SQLException e) {
                check("23505".equals(e.getSQLState()), "duplicate key gives 23505, got " + e.getSQLState());
            }
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT * FROM no_such_table");
                check(false, "missing table is refused");
            } catch (SQLException e) {
                check("42P01".equals(e.getSQLState()), "missing table gives 42P01, got " + e.getSQLState());
            }

            // Metadata, as schema browsers read it.
            DatabaseMetaData md = c.getMetaData();
            check(md.getDatabaseProductName().equals("PostgreSQL"), "product name");
            try (ResultSet rs = md.getTables(null, "public", "jdbc_items", new String[] {"TABLE"})) {
                check(rs.next(), "getTables finds jdbc_items");
                check(rs.getString("TABLE_NAME").equals("jdbc_items"), "getTables TABLE_NAME");
                check(rs.getString("TABLE_TYPE").equals("TABLE"), "getTables TABLE_TYPE");
            }
            List<String> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "jdbc_items", "%")) {
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("NULLABLE"));
                }
            }
            String want = "[id:int4:0, name:varchar:0, price:numeric:1, created:timestamp:1, active:bool:1]";
            check(cols.toString().equals(want), "getColumns: got " + cols + ", want " + want);
            // getPrimaryKeys selects a set-returning function's record and its
            // fields: (information_schema._pg_expandarray(i.indkey)).n.
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE jdbc_pairs (a int, b text, c int, PRIMARY KEY (b, a))");
            }
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_pairs")) {
                while (rs.next()) {
                    keys.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("KEY_SEQ") + ":" + rs.getString("PK_NAME"));
                }
            }
            want = "[b:1:jdbc_pairs_pkey, a:2:jdbc_pairs_pkey]";
            check(keys.toString().equals(want), "getPrimaryKeys: got " + keys + ", want " + want);
            // getIndexInfo reads pg_settings (max_index_keys) and masks
            // index options with &; getImportedKeys walks pg_constraint.
            try (Statement st = c.createStatement()) {
                st.execute("CREATE INDEX jdbc_pairs_c ON jdbc_pairs (c)");
                st.execute("CREATE TABLE jdbc_refs (id int PRIMARY KEY, pa int, pb text, FOREIGN KEY (pb, pa) REFERENCES jdbc_pairs (b, a))");
            }
            List<String> idx = new ArrayList<>();
            try (ResultSet rs = md.getIndexInfo(null, "public", "jdbc_pairs", false, false)) {
                while (rs.next()) {
                    idx.add(rs.getString("INDEX_NAME") + ":" + rs.getBoolean("NON_UNIQUE") + ":" + rs.getInt("ORDINAL_POSITION") + ":" + rs.getString("COLUMN_NAME"));
                }
            }
            want = "[jdbc_pairs_pkey:false:1:b, jdbc_pairs_pkey:false:2:a, jdbc_pairs_c:true:1:c]";
            check(idx.toString().equals(want), "getIndexInfo: got " + idx + ", want " + want);
            List<String> fks = new ArrayList<>();
            try (ResultSet rs = md.getImportedKeys(null, "public", "jdbc_refs")) {
                while (rs.next()) {
                    fks.add(rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + "<-" + rs.getString("FKCOLUMN_NAME") + ":" + rs.getInt("KEY_SEQ"));
                }
            }
            want = "[jdbc_pairs.b<-pb:1, jdbc_pairs.a<-pa:2]";
            check(fks.toString().equals(want), "getImportedKeys: got " + fks + ", want " + want);

            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE jdbc_items");
                st.execute("DROP TABLE jdbc_refs");
                st.execute("DROP TABLE jdbc_pairs");
            }
        }
        System.out.println("JDBC: " + checks + " checks passed");
    }

    static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
