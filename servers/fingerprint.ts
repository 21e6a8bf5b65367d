/**
 * SSH host key fingerprints in OpenSSH's own notation: "SHA256:" + the unpadded base64
 * of the SHA-256 of the key's wire-format blob, the string `ssh-keygen -lf` prints and
 * the one a host's pin (HostSpec.hostKey) holds. Pure functions, no I/O.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** "SHA256:" + 43 base64 characters (32 bytes, unpadded). */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The fingerprint of an SSH public key blob (the bytes after the type word in a .pub file, base64-decoded). */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** True for a well-formed "SHA256:..." fingerprint. */
export function isFingerprint(s: unknown): s is string {
  return typeof s === "string" && FINGERPRINT.test(s);
}

/**
 * Exact comparison (base64 is case-sensitive) in constant time: both sides are hashed
 * first, so neither their contents nor their lengths show in the timing.
 */
export function sameFingerprint(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}

/** The key type named inside a public key blob ("ssh-ed25519", "ssh-rsa", ...), or undefined if malformed. */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return undefined;
  const type = keyBlob.subarray(4, 4 + len).toString("latin1");
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/**
 * The fingerprint of one line of an OpenSSH .pub / authorized_keys file
 * ("ssh-ed25519 AAAA... comment"), or undefined if it is not one.
 */
export function fingerprintOfPublicKeyLine(line: string): string | undefined {
  const parts = line.trim().split(/\s+/);
  const [type, b64] = parts;
  if (!type || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const blob = Buffer.from(b64, "base64");
  if (keyTypeOf(blob) !== type) return undefined;
  return sha256Fingerprint(blob);
}
