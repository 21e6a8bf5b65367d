/**
 * Which folder may import which: the rules of the house, checked by dependency-cruiser in
 * `npm test` (test/architecture.test.ts) and with `npm run deps`. README, "Architecture",
 * draws the same picture.
 *
 *   core/        the domain: types, rules and the ports (interfaces) that drivers and storage
 *                implement, one folder per capability (climate, door, display, camera,
 *                motion, alerts, servers) plus what every room shares (config, clock, text...).
 *                It imports nothing of the project outside core/.
 *   hardware/    device drivers and simulators      } adapters: each implements core's ports
 *   storage/     SQLite and AWS repositories         } and imports core only (never one
 *   servers/     SSH checks of the room's servers    } another's insides, never the bot, the
 *   channels/    channels: Telegram, SNS, MQTT       } jobs or the app); the one exception:
 *                channels/telegram/ builds its alert cards' buttons with bot/ui/
 *   jobs/        the room's running work: core only (devices, storage and checks arrive as ports)
 *   bot/         the Telegram interface: core only (the room arrives through ctx.services)
 *   bot/ui/      the bot's keyboards and callback data: core (and grammY) only, since the
 *                Telegram channel uses them too
 *   web/         the dashboard (Fastify): core only (the room arrives as DashboardServices);
 *                web/public/ is the browser's, not Node's
 *   app/         the wiring of a room: may import everything above
 *   local/       local mode (a Bot API server and a page): everything above but doctor/
 *   doctor/      `npm run doctor`: core, hardware and storage (their probes)
 *   main.ts      the composition root: nothing imports it
 * And no import cycles anywhere.
 */
const LAYERS = ["core", "hardware", "storage", "servers", "channels", "jobs", "bot", "web", "app", "local", "doctor"];
const not = (...names) => `^(${LAYERS.filter((l) => !names.includes(l)).join("|")})/|^main\\.ts$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle makes start-up order and testing depend on luck: break it with a port in core/.",
      from: { pathNot: "^(test|bench)/" },
      to: { circular: true },
    },
    {
      name: "core-is-the-domain",
      severity: "error",
      comment:
        "core/ imports nothing of the project outside core/: adapters implement its ports, not the other way round.",
      from: { path: "^core/" },
      to: { path: not("core") },
    },
    {
      name: "adapters-see-core-only",
      severity: "error",
      comment:
        "hardware/, storage/, servers/ and channels/ implement core's ports; they do not use one another, the jobs, the bot or the app.",
      from: { path: "^(hardware|storage|servers|channels)/" },
      to: { path: not("core", "hardware", "storage", "servers", "channels"), pathNot: "^bot/ui/" },
    },
    {
      name: "only-the-telegram-channel-uses-bot-ui",
      severity: "error",
      comment:
        "channels/telegram/ posts alert cards whose buttons the bot answers: it builds them with bot/ui/ (keyboards, callback data), so both ends share one definition. No other adapter uses the bot, and the channel uses nothing else of it.",
      from: { path: "^(hardware|storage|servers|channels)/", pathNot: "^channels/telegram/" },
      to: { path: "^bot/ui/" },
    },
    {
      name: "bot-ui-is-a-leaf",
      severity: "error",
      comment:
        "bot/ui/ (keyboards and callback data) imports only core/ and grammY: the Telegram channel uses it, so it must not pull in the bot's context, services or features.",
      from: { path: "^bot/ui/" },
      to: { path: not("core"), pathNot: "^bot/ui/" },
    },
    {
      name: "bot-ui-needs-only-grammy",
      severity: "error",
      comment: "Of the packages, bot/ui/ uses grammY only.",
      from: { path: "^bot/ui/" },
      to: { path: "(^|/)node_modules/", pathNot: "(^|/)node_modules/grammy/" },
    },
    {
      name: "adapters-stay-in-their-folder",
      severity: "error",
      comment: "One adapter never reaches into another: storage/ does not use hardware/, and so on.",
      from: { path: "^(hardware|storage|servers|channels)/" },
      to: { path: "^(hardware|storage|servers|channels)/", pathNot: "^$1/" },
    },
    {
      name: "jobs-use-ports",
      severity: "error",
      comment: "jobs/ get devices, storage and checkers as ports (core/); the app hands them the adapters.",
      from: { path: "^jobs/" },
      to: { path: not("core", "jobs") },
    },
    {
      name: "bot-uses-ports",
      severity: "error",
      comment:
        "bot/ reaches the room through ctx.services (ports in core/); the alert cards' buttons are its own (bot/ui/), which channels/telegram borrows, not the other way round.",
      from: { path: "^bot/" },
      to: { path: not("core", "bot") },
    },
    {
      name: "web-uses-ports",
      severity: "error",
      comment:
        "web/ (the dashboard) reaches the room through DashboardServices (ports in core/); app/ builds them. It never uses the bot, the adapters, the jobs, local mode or main.ts.",
      from: { path: "^web/" },
      to: { path: not("core", "web") },
    },
    {
      name: "app-is-wiring",
      severity: "error",
      comment: "app/ wires a room; local mode and the doctor sit on top of it, not under it.",
      from: { path: "^app/" },
      to: { path: "^(local|doctor)/|^main\\.ts$" },
    },
    {
      name: "local-mode-on-top",
      severity: "error",
      comment: "local/ may use everything but the doctor and main.ts.",
      from: { path: "^local/" },
      to: { path: "^doctor/|^main\\.ts$" },
    },
    {
      name: "doctor-uses-probes",
      severity: "error",
      comment: "doctor/ runs the probes of hardware/ and storage/; it does not start a room.",
      from: { path: "^doctor/" },
      to: { path: not("core", "hardware", "storage", "doctor") },
    },
    {
      name: "nothing-imports-main",
      severity: "error",
      comment: "main.ts is the composition root.",
      from: {},
      to: { path: "^main\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Packages stay in the graph as leaves (not followed), so a rule can name them (bot/ui/ and grammY).
    exclude: { path: "^(test|bench|types|local/web/public|web/public)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".mjs", ".js"] },
  },
};
