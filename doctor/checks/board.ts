/**
 * Board and OS: a Raspberry Pi 3, 4, 5 or Zero 2 W on Raspberry Pi OS Bookworm (Debian 12)
 * or Trixie (13); the kernel and whether the OS is 32- or 64-bit, for the record.
 */
import { type Check, ok, warn } from "../check.ts";
import type { Board } from "../facts/board.ts";

const OS_NAMES: Record<string, string> = { "11": "Bullseye", "12": "Bookworm", "13": "Trixie" };

function osLine(b: Board): string {
  const name = b.os.prettyName ?? "unknown OS (no /etc/os-release)";
  const kernel = b.kernel ? `; kernel ${b.kernel}` : "";
  const bits = b.userland
    ? `; ${b.userland} OS${b.machine ? ` (${b.machine} kernel)` : ""}`
    : b.machine
      ? `; ${b.machine}`
      : "";
  return `${name}${kernel}${bits}`;
}

export const boardCheck: Check = {
  id: "board",
  title: "Board and OS",
  manual: "cat /proc/device-tree/model /etc/os-release",
  async run(ctx) {
    const b = await ctx.board();
    if (!b.isPi) {
      return warn(
        `not a Raspberry Pi (${b.model ? `"${b.model}"` : "no /proc/device-tree/model"}); ${osLine(b)}: the room's devices are simulated`,
        "run the doctor on the Pi; on a development machine set `HARDWARE=sim` in .env",
      );
    }
    const model = b.model ?? "Raspberry Pi";
    if (b.family === "other") {
      return warn(
        `${model} is not a supported board (Raspberry Pi 3, 4, 5 or Zero 2 W); ${osLine(b)}`,
        "use a Raspberry Pi 3, 4, 5 or Zero 2 W",
      );
    }
    const release = b.os.versionId ? OS_NAMES[b.os.versionId] : undefined;
    if (release !== "Bookworm" && release !== "Trixie") {
      return warn(
        `${model}; ${osLine(b)}: Seroma supports Raspberry Pi OS Bookworm (12) and Trixie (13)`,
        "install Raspberry Pi OS Bookworm or Trixie with Raspberry Pi Imager (back up DATA_DIR first)",
      );
    }
    return ok(`${model}; ${osLine(b)}`);
  },
};
