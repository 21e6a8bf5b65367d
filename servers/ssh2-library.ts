/**
 * The ssh2 library, loaded at its first use instead of at start: it allocates about 18 MB
 * when loaded (its Poly1305 module's memory), which a room without servers to check never
 * needs. ssh2 is CommonJS, so it is required synchronously.
 */
import { createRequire } from "node:module";

type Ssh2 = typeof import("ssh2");

const require = createRequire(import.meta.url);
let loaded: Ssh2 | undefined;

export function ssh2(): Ssh2 {
  loaded ??= require("ssh2") as Ssh2;
  return loaded;
}
