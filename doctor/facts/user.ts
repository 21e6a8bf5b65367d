/**
 * The user running the doctor and its groups, from `id` (coreutils), whose output is
 *   uid=1000(pi) gid=1000(pi) groups=1000(pi),4(adm),20(dialout),44(video),993(gpio),994(i2c),995(spi)
 * These are the process's groups: a user added to a group with `usermod -aG` gets it at
 * the next login, and `id` says so honestly.
 */
export interface UserInfo {
  uid: number;
  name: string;
  groups: string[];
}

/** Parses `id`'s output; undefined when it is not in that form. */
export function parseId(output: string): UserInfo | undefined {
  const uid = /uid=(\d+)\(([^)]*)\)/.exec(output);
  if (!uid) return undefined;
  const groupsPart = /groups=(\S+)/.exec(output)?.[1] ?? "";
  const groups = [...groupsPart.matchAll(/\d+\(([^)]*)\)/g)].map((m) => m[1] as string);
  return { uid: Number(uid[1]), name: uid[2] as string, groups };
}
