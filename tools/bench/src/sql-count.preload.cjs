// Bench tool (issue 19, ADR 0049): counts the SQL statements a service process sends, by statement shape.
// Use: SU_BENCH_NODE_ARGS="--require <this file>" SU_BENCH_SQL_COUNT=<dir> npm run bench -- scale-pass …
// Each process writes <dir>/sql-<pid>.json (statement shape → count, transactions) every second and when it exits.
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.SU_BENCH_SQL_COUNT;
const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
const counts = new Map();

/** The statement without its literals and extra blanks: one key per shape, not per value. */
function shape(text) {
  return String(text)
    .replace(/\s+/g, ' ')
    .replace(/'[^']*'/g, "'?'")
    .replace(/\$\d+/g, '$')
    .replace(/\b\d+\b/g, 'N')
    .slice(0, 160);
}

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text) {
    const k = shape(text);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};

function dump() {
  if (!dir) return;
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  writeFileSync(join(dir, `sql-${process.pid}.json`), JSON.stringify({ argv: process.argv.slice(1), rows }));
}
setInterval(dump, 1000).unref();
process.on('exit', dump);
