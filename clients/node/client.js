// client.js checks that node-postgres (pg) works against a running RustyDB
// server: DDL, parameterized queries (which pg sends with the extended
// protocol), a transaction rolled back and one committed, and SQLSTATEs.
// scripts/test-clients.sh runs it: node client.js postgres://...
'use strict';
const assert = require('assert');
const { Client } = require('pg');

async function main() {
  const c = new Client({ connectionString: process.argv[2] });
  await c.connect();
  let checks = 0;
  const check = (ok, what) => { assert.ok(ok, 'FAILED: ' + what); checks++; };
  try {
    await c.query('DROP TABLE IF EXISTS node_items');
    await c.query('CREATE TABLE node_items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[])');
    const ins = await c.query('INSERT INTO node_items VALUES ($1, $2, $3, $4)', [1, 'widget', '9.99', ['a', 'b']]);
    check(ins.rowCount === 1, 'parameterized INSERT');
    const r = await c.query('SELECT name, price, tags FROM node_items WHERE id = $1', [1]);
    check(r.rows.length === 1 && r.rows[0].name === 'widget', 'text round trip');
    check(r.rows[0].price === '9.99', 'numeric round trip');
    check(JSON.stringify(r.rows[0].tags) === '["a","b"]', 'text[] round trip');

    await c.query('BEGIN');
    await c.query('INSERT INTO node_items (id, name) VALUES (2, $1)', ['rolled back']);
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('INSERT INTO node_items (id, name) VALUES (3, $1)', ['committed']);
    await c.query('COMMIT');
    const ids = await c.query('SELECT id FROM node_items ORDER BY id');
    check(JSON.stringify(ids.rows.map((x) => x.id)) === '[1,3]', 'transactions: got ' + JSON.stringify(ids.rows));

    try {
      await c.query('INSERT INTO node_items (id, name) VALUES (1, $1)', ['duplicate']);
      check(false, 'duplicate key is refused');
    } catch (e) {
      check(e.code === '23505', 'duplicate key gives 23505, got ' + e.code);
    }
    await c.query('DROP TABLE node_items');
  } finally {
    await c.end();
  }
  console.log('node pg: ' + checks + ' checks passed');
}

main().catch((e) => { console.error(e); process.exit(1); });
