// Loaded into the console process (NODE_OPTIONS=--import) by the fault suite where it cannot
// mount a small tmpfs (not root): while the file named by SEROMA_FAULT_DISK_FULL exists, every
// write SQLite is asked to make fails with SQLITE_FULL, as on a full disk; reads still work.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Database = require("better-sqlite3");
const flag = process.env.SEROMA_FAULT_DISK_FULL;
const full = () => flag && existsSync(flag);
const refuse = () => {
  throw new Database.SqliteError("database or disk is full", "SQLITE_FULL");
};
const prepare = Database.prototype.prepare;
let patched = false;
Database.prototype.prepare = function (sql, ...rest) {
  const statement = prepare.call(this, sql, ...rest);
  if (!patched) {
    patched = true;
    const proto = Object.getPrototypeOf(statement);
    const run = proto.run;
    proto.run = function (...args) {
      if (full()) refuse();
      return run.apply(this, args);
    };
  }
  return statement;
};
const exec = Database.prototype.exec;
Database.prototype.exec = function (...args) {
  if (full()) refuse();
  return exec.apply(this, args);
};
