/**
 * Node.js: 22 (LTS) or newer. Node 20 reached its end of life in April 2026 and the AWS SDK
 * drops it; native modules are built for one Node version, so they are rebuilt after an upgrade.
 */
import { type Check, fail, ok } from "../check.ts";

export const REQUIRED_NODE_MAJOR = 22;

export const nodeCheck: Check = {
  id: "node",
  title: "Node.js",
  manual: "node --version",
  async run(ctx) {
    const { version, running } = ctx.node;
    const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
    const shown = `v${version.replace(/^v/, "")}`;
    const said =
      version.replace(/^v/, "") === running.replace(/^v/, "")
        ? shown
        : `${shown} (DOCTOR_NODE_VERSION; this process runs v${running.replace(/^v/, "")})`;
    if (major >= REQUIRED_NODE_MAJOR) return ok(`${said}; ${REQUIRED_NODE_MAJOR} or newer is required`);
    return fail(
      `${said} is running; Seroma needs Node.js ${REQUIRED_NODE_MAJOR} LTS or newer`,
      `install Node.js ${REQUIRED_NODE_MAJOR} LTS (\`sudo apt-get install -y nodejs\` from NodeSource's node_${REQUIRED_NODE_MAJOR}.x repository), then run \`npm rebuild\` in the project folder`,
    );
  },
};
