/**
 * SSH key material the console makes itself: ed25519 key pairs (OpenSSH format) and the
 * console's client key file, created on first use where the operator has none (local mode).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { AuthContext, ParsedKey } from "ssh2";
import { ssh2 } from "./ssh2-library.ts";

export interface KeyPair {
  /** OpenSSH private key, unencrypted. */
  private: string;
  /** "ssh-ed25519 AAAA... comment" */
  public: string;
}

/**
 * An ed25519 key pair from ssh2's generator that ssh2 can read back.
 * ssh2 1.17's generateKeyPairSync("ed25519") strips leading zero bytes from the public
 * key, so about 1 pair in 256 is malformed (mscdex/ssh2#1390, #1513): such pairs are
 * thrown away and generated again.
 */
export function generateEd25519KeyPair(comment?: string): KeyPair {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2().utils.generateKeyPairSync("ed25519", comment ? { comment } : {});
    if (
      !(ssh2().utils.parseKey(pair.public) instanceof Error) &&
      !(ssh2().utils.parseKey(pair.private) instanceof Error)
    ) {
      return pair;
    }
  }
  throw new Error("ssh2 kept generating unreadable ed25519 keys");
}

/** The first key in an OpenSSH/PEM text; throws with ssh2's reason if it cannot be read. */
export function parseKey(text: string | Buffer): ParsedKey {
  const k = ssh2().utils.parseKey(text);
  if (k instanceof Error) throw k;
  const first = Array.isArray(k) ? (k[0] as ParsedKey | undefined) : k;
  if (!first) throw new Error("no key in the text");
  return first;
}

/**
 * The key pair in `file` (private, mode 0600) and `file.pub`, created if the private key
 * does not exist. Returns the pair and whether it was created now.
 */
export function ensureKeyFile(file: string, comment: string): KeyPair & { created: boolean } {
  if (existsSync(file)) {
    const privateText = readFileSync(file, "utf8");
    const key = parseKey(privateText);
    const pub = existsSync(`${file}.pub`)
      ? readFileSync(`${file}.pub`, "utf8").trim()
      : `${key.type} ${key.getPublicSSH().toString("base64")} ${comment}`;
    return { private: privateText, public: pub, created: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const pair = generateEd25519KeyPair(comment);
  writeFileSync(file, pair.private, { mode: 0o600, flag: "wx" });
  writeFileSync(`${file}.pub`, `${pair.public.trim()}\n`, { mode: 0o644 });
  return { ...pair, created: true };
}

/**
 * An SSH server's decision on a login attempt (ssh2's "authentication" event) that only lets
 * `user` in with the `allowed` public key:
 *   "rejected"  another method, user or key, or a signature that does not verify;
 *   "key-ok"    the right key offered without a signature ("would this key do?": accept,
 *               and the client signs next);
 *   "signed"    the right key with a valid signature: logged in.
 */
export function publicKeyVerdict(ctx: AuthContext, user: string, allowed: ParsedKey): "rejected" | "key-ok" | "signed" {
  if (ctx.method !== "publickey" || ctx.username !== user) return "rejected";
  if (ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) return "rejected";
  if (!ctx.signature || !ctx.blob) return "key-ok";
  return allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? "signed" : "rejected";
}
