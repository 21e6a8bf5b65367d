#!/usr/bin/env node
// `npm run doctor`: starts scripts/doctor.ts. On Node 22.18+ Node runs the TypeScript itself.
// On an older Node (the most likely thing wrong on a Pi that was set up before) it says so
// plainly instead of failing on the first type annotation; in a development checkout it
// can still run through tsx (a dev dependency) so the remaining checks are seen too.
const [major, minor] = process.versions.node.split(".").map(Number);
const strips = major > 22 || (major === 22 && minor >= 18);
if (!strips) {
  let tsx = false;
  try {
    const { register } = await import("tsx/esm/api");
    register();
    tsx = true;
  } catch {
    // not a development checkout
  }
  if (!tsx) {
    process.stdout.write(
      `✖ Node.js   Node ${process.versions.node}: Seroma needs Node.js 22.18 or newer (it runs its TypeScript directly)\n` +
        '    fix: install Node 22 LTS (README, "Install on a Raspberry Pi"), then `npm rebuild` and run the doctor again\n',
    );
    process.exit(1);
  }
}
await import("./doctor.ts");
