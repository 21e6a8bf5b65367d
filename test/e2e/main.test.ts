/**
 * The console as a user starts it: `node main.ts` (one process) in a child process,
 * configured through the environment. Checks startup, the no-token mode, invalid
 * configuration, and graceful shutdown leaving a clean database.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { createDynamoReadingRepository } from "../../storage/aws/readings.ts";
import { ALL_TABLES } from "../../storage/aws/tables.ts";
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from "../support/aws-local.ts";
import { localPageUrl, startConsole } from "../support/console-process.ts";

describe("main (the console process)", () => {
  test("without a token: local mode (own data dir, the page's address, the BotFather hint), samples, stops cleanly", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", SAMPLE_INTERVAL_SECONDS: "2", LOG_LEVEL: "info" });
    try {
      await run.waitForOutput(/climate sensor = sim/);
      await run.waitForOutput(/card reader = sim/);
      await run.waitForOutput(/display = sim/);
      await run.waitForOutput(/camera = sim/);
      await run.waitForOutput(/motion sensor = sim/);
      await run.waitForOutput(/door job started/);
      await run.waitForOutput(/security watch started/);
      await run.waitForOutput(
        /no TELEGRAM_BOT_TOKEN: local mode \(built-in Bot API server on http:\/\/127\.0\.0\.1:\d+/,
      );
      await run.waitForOutput(/Open http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}/);
      await run.waitForOutput(/BotFather/);
      await run.waitForOutput(/server checks started \(3 host\(s\)/);
      await run.waitForOutput(/reading stored[\s\S]*reading stored/); // startup sample + at least one scheduled
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      assert.match(run.output(), /stopped cleanly/);
    } finally {
      run.child.kill("SIGKILL");
    }
    // Local mode keeps its data apart from a real room's (DATA_DIR/local), and closes it cleanly.
    assert.equal(existsSync(join(dataDir, "seroma.db")), false, "nothing in the real room's database");
    const file = join(dataDir, "local", "seroma.db");
    const wal = `${file}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, "WAL checkpointed");
    const db = new Database(file, { readonly: true });
    const { n } = db.prepare("SELECT count(*) AS n FROM readings WHERE room_id = 'server-room'").get() as { n: number };
    db.close();
    assert.ok(n >= 2, `expected at least 2 readings, found ${n}`);
    assert.equal(statSync(join(dataDir, "local", "local-ui-token")).mode & 0o077, 0, "the page's token is private");
    assert.equal(statSync(join(dataDir, "local", "ssh", "id_ed25519")).mode & 0o077, 0, "the SSH key is private");
  });

  test("HARDWARE=auto on a machine without a Pi: every device simulated, each saying why", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({ DATA_DIR: dataDir, HARDWARE: "auto", LOG_LEVEL: "info" });
    try {
      await run.waitForOutput(/climate sensor = sim \(.+\)/);
      await run.waitForOutput(
        /card reader = sim \(HARDWARE=auto and no usable MFRC522 card reader, using the simulator: .+\)/,
      );
      await run.waitForOutput(/display = sim \(.+\)/);
      await run.waitForOutput(/camera = sim \(HARDWARE=auto and no camera found, using the simulated camera\. .+\)/);
      await run.waitForOutput(/motion sensor = sim \(HARDWARE=auto and no motion sensor, using the simulator: .+\)/);
      await run.waitForOutput(/door job started/);
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("with a token: connects to the Bot API, registers commands, answers /status, stops cleanly", async () => {
    const api = await startLocalBotApi({ token: "5000000001:AAHlocalTestTokenForSeroma-0123456789" });
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: "77",
      STAFF_CHAT_ID: "-100999",
      DATA_DIR: dataDir,
      HARDWARE: "sim",
      LOG_LEVEL: "info",
    });
    try {
      await run.waitForOutput(/is polling/);
      const started = await api.waitFor(() => api.lastBotMessage(-100999), 10_000);
      assert.match(started.text ?? "", /Seroma started · server-room/);
      assert.match(started.text ?? "", /Climate sensor: sim\. Open incidents: 0\./);
      assert.match(
        started.text ?? "",
        /Devices: climate sensor: sim, card reader: sim, display: sim, camera: sim, motion sensor: sim\./,
        "every device and its driver, nothing simulated silently",
      );
      assert.ok(api.calls.some((c) => c.method === "setMyCommands"));
      const admin = { id: 77, first_name: "Ada" };
      api.sendMessage(admin, { id: 77, type: "private" }, "/status");
      const reply = await api.waitFor(() => api.lastBotMessage(77), 10_000);
      assert.match(reply.text ?? "", /Temperature: \d+\.\d °C/);
      assert.doesNotMatch(run.output(), new RegExp(api.token.split(":")[1] ?? "x"), "token never logged");
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
      await api.close();
    }
  });

  test("no token under systemd (or NODE_ENV=production): stops with a clear message instead of the local demo", async () => {
    const cases: Array<Record<string, string>> = [{ INVOCATION_ID: "0123456789abcdef" }, { NODE_ENV: "production" }];
    for (const env of cases) {
      const run = startConsole({
        DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data"),
        HARDWARE: "sim",
        ...env,
      });
      const { code } = await run.exited;
      assert.equal(code, 1, run.output());
      assert.match(
        run.output(),
        /Seroma cannot start: TELEGRAM_BOT_TOKEN is not set \(running (under systemd|with NODE_ENV=production)/,
      );
      assert.match(run.output(), /LOCAL_MODE=on/);
      assert.doesNotMatch(run.output(), /local mode \(built-in Bot API server/);
    }
    // Asked for on purpose: the demo runs.
    const demo = startConsole({
      DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data"),
      HARDWARE: "sim",
      INVOCATION_ID: "0123456789abcdef",
      LOCAL_MODE: "on",
    });
    try {
      await localPageUrl(demo);
    } finally {
      demo.child.kill("SIGTERM");
      await demo.exited;
    }
  });

  test("a token Telegram refuses stops the console with a clear message", async () => {
    const api = await startLocalBotApi({ token: "5000000001:AAHlocalTestTokenForSeroma-0123456789" });
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: "5000000001:AAHsomeOtherTokenThatIsWrong-000000",
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: "77",
      DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data"),
      HARDWARE: "sim",
    });
    try {
      const { code } = await run.exited;
      assert.equal(code, 1);
      assert.match(run.output(), /refused TELEGRAM_BOT_TOKEN/);
    } finally {
      await api.close();
    }
  });

  test("Telegram unreachable at boot: keeps sampling, keeps retrying, still stops cleanly", async () => {
    // A port nobody listens on: grab one, then close it.
    const api = await startLocalBotApi();
    const deadRoot = api.apiRoot;
    await api.close();
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: "5000000001:AAHlocalTestTokenForSeroma-0123456789",
      TELEGRAM_API_ROOT: deadRoot,
      ADMIN_IDS: "77",
      DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data"),
      HARDWARE: "sim",
      LOG_LEVEL: "info",
    });
    try {
      await run.waitForOutput(/cannot reach Telegram yet; retrying[\s\S]*cannot reach Telegram yet; retrying/);
      assert.match(run.output(), /reading stored/);
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("invalid configuration: every problem listed, exit code 1, nothing started", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({
      DATA_DIR: dataDir,
      HARDWARE: "maybe",
      SAMPLE_INTERVAL_SECONDS: "1",
      TIMEZONE: "Nowhere/City",
    });
    const { code } = await run.exited;
    assert.equal(code, 1);
    const out = run.output();
    assert.match(out, /3 problem/);
    assert.match(out, /HARDWARE/);
    assert.match(out, /SAMPLE_INTERVAL_SECONDS/);
    assert.match(out, /TIMEZONE/);
    assert.equal(existsSync(dataDir), false, "no data directory created");
  });

  test("HARDWARE=real without a Pi refuses to start and says why", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({ DATA_DIR: dataDir, HARDWARE: "real" });
    const { code } = await run.exited;
    assert.equal(code, 1);
    assert.match(run.output(), /climate|DHT22|dht/i);
  });
});

describe("main with STORAGE=aws (DynamoDB and S3 on 127.0.0.1)", () => {
  test("refuses to start on a backend that was not set up, naming aws:setup", async () => {
    const aws = await startLocalAws({ prefix: "unset" });
    const api = await startLocalBotApi({ token: TOKEN });
    const run = startConsole({
      ...awsEnv(aws, "unset"),
      ...botEnv(api),
      DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data"),
    });
    try {
      const { code } = await run.exited;
      assert.equal(code, 1, run.output());
      assert.match(
        run.output(),
        /the AWS backend is not set up \(missing: unset-readings, .*\); run npm run aws:setup/,
      );
    } finally {
      run.child.kill("SIGKILL");
      await aws.stop();
      await api.close();
    }
  });

  test("after aws:setup: readings go to DynamoDB, the outbox stays local, stops cleanly", async () => {
    const aws = await startLocalAws({ prefix: "pi", tables: ALL_TABLES });
    const api = await startLocalBotApi({ token: TOKEN });
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-main-")), "data");
    const run = startConsole({
      ...awsEnv(aws, "pi"),
      ...botEnv(api),
      DATA_DIR: dataDir,
      HARDWARE: "sim",
      SAMPLE_INTERVAL_SECONDS: "2",
      LOG_LEVEL: "info",
    });
    try {
      await run.waitForOutput(/storage: aws \(DynamoDB pi-\*, S3 seroma-test in eu-central-1\)/);
      await run.waitForOutput(/reading stored[\s\S]*reading stored/);
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      const stored = await createDynamoReadingRepository(aws.ctx).count("server-room");
      assert.ok(stored >= 2, `readings in DynamoDB: ${stored}`);
      assert.ok(existsSync(join(dataDir, "seroma.db")), "the local outbox database");
    } finally {
      run.child.kill("SIGKILL");
      await aws.stop();
      await api.close();
    }
  });
});

const TOKEN = "5000000001:AAHlocalTestTokenForSeroma-0123456789";

function botEnv(api: { token: string; apiRoot: string }): Record<string, string> {
  return { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, ADMIN_IDS: "1001" };
}

function awsEnv(aws: LocalAws, prefix: string): Record<string, string> {
  return {
    STORAGE: "aws",
    AWS_REGION: aws.options.region,
    AWS_PREFIX: prefix,
    S3_BUCKET: aws.options.bucket,
    AWS_DYNAMODB_ENDPOINT: aws.options.endpoints?.dynamodb ?? "",
    AWS_S3_ENDPOINT: aws.options.endpoints?.s3 ?? "",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}
