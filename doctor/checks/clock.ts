/**
 * Clock synchronisation. A Raspberry Pi (before the 5, and a 5 without its RTC battery) has no
 * clock that keeps time while off: until NTP has set it, the time is wrong, and so are office
 * hours (a breach or not), timestamps and backup names. Asked of systemd with
 * `timedatectl show -p NTPSynchronized` ("NTPSynchronized=yes"); where systemd cannot answer,
 * systemd-timesyncd's flag file /run/systemd/timesync/synchronized (present once synced).
 */
import { access } from "node:fs/promises";
import { type Check, fail, ok, warn } from "../check.ts";
import { lastLine } from "../programs.ts";

const FLAG = "/run/systemd/timesync/synchronized";

const NOT_SYNCED_HINT =
  "turn NTP on with `sudo timedatectl set-ntp true`, check the network and `systemctl status systemd-timesyncd` " +
  "(a firewall must let UDP port 123 out)";

export const clockCheck: Check = {
  id: "clock",
  title: "Clock",
  manual: "timedatectl show -p NTPSynchronized",
  async run(ctx) {
    const r = await ctx.run("timedatectl", ["show", "-p", "NTPSynchronized"]);
    const answer = r.found && r.code === 0 ? /^NTPSynchronized=(yes|no)\s*$/m.exec(r.stdout)?.[1] : undefined;
    if (answer === "yes") return ok("synchronised by NTP (timedatectl)");
    if (answer === "no") {
      return fail(
        "not synchronised (timedatectl: NTPSynchronized=no): office hours and breaches depend on it",
        NOT_SYNCED_HINT,
      );
    }
    const why = !r.found ? "timedatectl is not installed" : `timedatectl: ${lastLine(r.stderr) ?? `exit ${r.code}`}`;
    const flagged = await access(ctx.at(FLAG)).then(
      () => true,
      () => false,
    );
    if (flagged) return ok(`synchronised (${FLAG}; ${why})`);
    return warn(
      `cannot tell whether the clock is synchronised (${why}; no ${FLAG})`,
      'check with `timedatectl status` that "System clock synchronized: yes"; if not, `sudo timedatectl set-ntp true`',
    );
  },
};
