/**
 * Preload (`NODE_OPTIONS=--import .../break-modules.mjs`) that makes the packages named in
 * SEROMA_BREAK_MODULES fail to load the way a broken install does, for the doctor's tests:
 *   NAME=abi      its native addon was built for another Node.js (Node's own ERR_DLOPEN_FAILED
 *                 message, NODE_MODULE_VERSION 115 = Node 20 under Node 22's 127)
 *   NAME=missing  npm dropped it (ERR_MODULE_NOT_FOUND, as Node words it)
 * e.g. SEROMA_BREAK_MODULES=better-sqlite3=abi,i2c-bus=missing
 */
import { register } from "node:module";

register("./break-modules-hooks.mjs", import.meta.url, { data: process.env.SEROMA_BREAK_MODULES ?? "" });
