/**
 * A fake of libgpiod's command-line tools, v1 (1.6, Bookworm) or v2 (2.x, Trixie), run as
 * `node fake-gpiod-tool.mjs TOOL ARGS...` by the small shell wrappers that fake-gpiod.ts
 * puts first on PATH. It prints what the real tools print (their sources: tools/gpiomon.c,
 * gpiodetect.c, gpioget.c, tools-common.c), takes the real syntax of its generation and
 * refuses the other one as the real ones do. What the "hardware" does is in
 * $FAKE_GPIOD_DIR/config.json (read at every start) and, for gpiomon, commands sent by the
 * test over the Unix socket $FAKE_GPIOD_DIR/control.sock: edges, exits, crashes.
 */
import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

const dir = process.env.FAKE_GPIOD_DIR;
const [tool, ...args] = process.argv.slice(2);
const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
const v2 = Number(config.version.split(".")[0]) >= 2;
appendFileSync(join(dir, "calls.log"), `${JSON.stringify({ tool, args, pid: process.pid })}\n`);

function die(message, code = 1) {
  process.stderr.write(`${tool}: ${message}\n`);
  process.exit(code);
}

function printVersion() {
  process.stdout.write(
    // Newer tools print their own version and the library's: "gpiomon v2.3.2 (libgpiod v2.2.1)".
    (config.libraryVersion
      ? `${tool} v${config.version} (libgpiod v${config.libraryVersion})\n`
      : `${tool} (libgpiod) v${config.version}\n`) +
      "Copyright (C) 2017-2023 Bartosz Golaszewski\n" +
      "License: GPL-2.0-or-later\nThis is free software: you are free to change and redistribute it.\n" +
      "There is NO WARRANTY, to the extent permitted by law.\n",
  );
  process.exit(0);
}

/** getopt_long as the tools use it: `spec` maps every option to whether it takes an argument. */
function getopt(argv, spec) {
  const opts = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break; // "+" in shortopts: stop at the first operand
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2);
      if (!(name in spec)) {
        process.stderr.write(`${tool}: unrecognized option '--${name}'\n`);
        die(`try ${tool} --help`);
      }
      opts[name] = spec[name] ? (inline ?? argv[++i]) : true;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (!(c in spec)) {
        process.stderr.write(`${tool}: invalid option -- '${c}'\n`);
        die(`try ${tool} --help`);
      }
      if (spec[c]) {
        opts[c] = a.slice(j + 1) || argv[++i];
        break;
      }
      opts[c] = true;
    }
  }
  return { opts, operands: argv.slice(i) };
}

function findChip(id) {
  const name = /^\d+$/.test(id) ? `gpiochip${id}` : id.replace(/^\/dev\//, "");
  return config.chips.find((c) => c.name === name);
}

/** Line names as on a Pi: "GPIO0".."GPIO27" on the header's chip, none elsewhere. */
function lineName(chip, offset) {
  return chip.header && offset <= 27 ? `GPIO${offset}` : undefined;
}

if (tool === "gpiodetect") {
  const { opts } = getopt(args, { h: false, v: false, help: false, version: false });
  if (opts.v || opts.version) printVersion();
  let failed = false;
  for (const chip of config.chips) {
    if (config.denied) {
      if (v2) {
        process.stderr.write(`gpiodetect: unable to open chip '/dev/${chip.name}': Permission denied\n`);
        failed = true;
      } else {
        process.stdout.write(`${chip.name} Permission denied\n`);
      }
      continue;
    }
    process.stdout.write(`${chip.name} [${chip.label}] (${chip.lines} lines)\n`);
  }
  process.exit(failed ? 1 : 0);
}

/** The line a v1 (chip + offset) or v2 (name, or offset with --chip) command line names. */
function resolveLine(opts, operands) {
  if (!v2) {
    if (operands.length < 1) die("gpiochip must be specified");
    if (operands.length < 2) die("at least one GPIO line offset must be specified");
    const chip = findChip(operands[0]);
    if (!chip) die(`unable to open ${operands[0]}: No such file or directory`);
    const offset = Number(operands[1]);
    if (!/^\d+$/.test(operands[1])) die(`invalid GPIO offset: ${operands[1]}`);
    if (offset >= chip.lines) die("unable to retrieve GPIO lines from chip: Invalid argument");
    return { chip, offset, byName: false };
  }
  if (operands.length < 1) die("at least one GPIO line must be specified");
  const id = operands[0];
  const chipId = opts.c ?? opts.chip;
  if (chipId !== undefined) {
    const chip = findChip(chipId);
    if (!chip) die(`cannot find GPIO chip character device '${chipId}'`);
    if (/^\d+$/.test(id) && !opts["by-name"]) {
      if (Number(id) >= chip.lines) die(`offset ${id} is out of range on chip '${chipId}'`);
      return { chip, offset: Number(id), byName: false, withChip: true };
    }
    for (let o = 0; o < chip.lines; o++) if (lineName(chip, o) === id) return { chip, offset: o, byName: true };
    die(`cannot find line '${id}'`);
  }
  for (const chip of config.chips) {
    for (let o = 0; o < chip.lines; o++) if (lineName(chip, o) === id) return { chip, offset: o, byName: true };
  }
  die(`cannot find line '${id}'`);
}

if (tool === "gpioget") {
  const spec = v2
    ? { a: false, b: true, c: true, h: false, l: false, p: true, s: false, v: false, numeric: false, chip: true }
    : { h: false, v: false, l: false, B: true, "active-low": false, bias: true };
  const { opts, operands } = getopt(args, spec);
  if (opts.v) printVersion();
  const line = resolveLine(opts, operands);
  if (config.busy) {
    if (v2) die(`unable to request lines on chip '/dev/${line.chip.name}': Device or resource busy`);
    die("error reading GPIO values: Device or resource busy");
  }
  const level = config.level ?? 0;
  if (v2 && !opts.numeric) process.stdout.write(`"${operands[0]}"=${level ? "active" : "inactive"}\n`);
  else process.stdout.write(`${level}\n`);
  process.exit(0);
}

if (tool !== "gpiomon") die(`the fake does not know ${tool}`);

const spec = v2
  ? {
      b: true,
      c: true,
      C: true,
      e: true,
      E: true,
      h: false,
      F: true,
      l: false,
      n: true,
      p: true,
      q: false,
      s: false,
      v: false,
      banner: false,
      bias: true,
      "by-name": false,
      chip: true,
      consumer: true,
      "debounce-period": true,
      edges: true,
      "event-clock": true,
      format: true,
      help: false,
      "idle-timeout": true,
      localtime: false,
      "num-events": true,
      quiet: false,
      strict: false,
      unquoted: false,
      utc: false,
      version: false,
    }
  : {
      h: false,
      v: false,
      l: false,
      B: true,
      n: true,
      s: false,
      r: false,
      f: false,
      b: false,
      F: true,
      help: false,
      version: false,
      "active-low": false,
      bias: true,
      "num-events": true,
      silent: false,
      "rising-edge": false,
      "falling-edge": false,
      "line-buffered": false,
      format: true,
    };
const { opts, operands } = getopt(args, spec);
if (opts.v || opts.version) printVersion();
if (v2) {
  const bias = opts.b ?? opts.bias;
  if (bias !== undefined && !["pull-up", "pull-down", "disabled"].includes(bias)) die(`invalid bias: ${bias}`);
  const edges = opts.e ?? opts.edges;
  if (edges !== undefined && !["rising", "falling", "both"].includes(edges)) die(`invalid edges: ${edges}`);
}
const line = resolveLine(opts, operands);
if (config.busy) {
  if (v2) die(`unable to request lines on chip /dev/${line.chip.name}: Device or resource busy`);
  die("unable to request GPIO lines for events: Device or resource busy");
}
if (config.gpiomonFails) die(config.gpiomonFails);

const format = opts.F ?? opts.format;
const lineBuffered = v2 || opts.b || opts["line-buffered"];
let buffered = "";
function out(text) {
  // v1 without --line-buffered: stdout is a pipe, so stdio buffers it (4 KiB)
  if (lineBuffered) {
    process.stdout.write(text);
    return;
  }
  buffered += text;
  if (buffered.length >= 4096) {
    process.stdout.write(buffered);
    buffered = "";
  }
}

function formatEvent(edge, sec, nsec) {
  const ns = String(nsec).padStart(9, "0");
  const name = lineName(line.chip, line.offset);
  if (!format) {
    if (!v2) {
      const evname = edge === "rising" ? " RISING EDGE" : "FALLING EDGE";
      return `event: ${evname} offset: ${line.offset} timestamp: [${String(sec).padStart(8)}.${ns}]`;
    }
    const q = (s) => (opts.unquoted ? s : `"${s}"`);
    let id;
    if (!name) id = `${line.chip.name} ${line.offset}`;
    else if (line.withChip) id = `${line.chip.name} ${line.offset} ${q(name)}`;
    else id = q(name);
    return `${sec}.${ns}\t${edge}\t${id}`;
  }
  return format.replace(/%(.)/g, (all, c) => {
    if (c === "%") return "%";
    if (c === "o") return String(line.offset);
    if (!v2) {
      if (c === "e") return edge === "rising" ? "1" : "0";
      if (c === "s") return String(sec);
      if (c === "n") return String(nsec);
      return all;
    }
    if (c === "e") return edge === "rising" ? "1" : "2";
    if (c === "E") return edge;
    if (c === "S") return `${sec}.${ns}`;
    if (c === "c") return line.chip.name;
    if (c === "l") return name ?? "unnamed";
    return all;
  });
}

if (!v2) {
  // v1 installs handlers: SIGTERM and SIGINT make it exit(0), flushing stdio
  const flushAndExit = () => {
    if (buffered) process.stdout.write(buffered);
    process.exit(0);
  };
  process.on("SIGTERM", flushAndExit);
  process.on("SIGINT", flushAndExit);
}

let child;
if (config.spawnChild) {
  // a helper holding stdout, as a wrapper script's own children would: only a kill of the
  // whole process group reaches it
  child = spawn("sleep", ["600"], { stdio: ["ignore", "inherit", "inherit"] });
}

if (v2 && opts.banner) out(`Monitoring line '${operands[0]}'...\n`);

let clock = 1000;
const socket = connect(join(dir, "control.sock"));
socket.setEncoding("utf8");
socket.on("connect", () => {
  socket.write(`${JSON.stringify({ hello: true, pid: process.pid, childPid: child?.pid, args })}\n`);
});
let input = "";
socket.on("data", (chunk) => {
  input += chunk;
  let nl = input.indexOf("\n");
  while (nl >= 0) {
    const command = JSON.parse(input.slice(0, nl));
    input = input.slice(nl + 1);
    nl = input.indexOf("\n");
    if (command.edge) {
      clock += 1;
      out(`${formatEvent(command.edge, clock, 123456789)}\n`);
    } else if (command.raw !== undefined) {
      out(command.raw);
    } else if (command.exit !== undefined) {
      if (command.stderr) process.stderr.write(`${tool}: ${command.stderr}\n`);
      if (buffered) process.stdout.write(buffered);
      process.exit(command.exit);
    } else if (command.signal) {
      process.kill(process.pid, command.signal);
    }
    socket.write(`${JSON.stringify({ ack: true })}\n`);
  }
});
// the test harness went away: do not outlive it
socket.on("close", () => process.exit(0));
socket.on("error", () => process.exit(0));
