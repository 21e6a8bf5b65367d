/**
 * `npm run doctor` on a fake Raspberry Pi 4 with Bookworm, everything set up (the tests'
 * fake root and programs: test/support/fake-pi.ts; a local Bot API server for the token; a
 * real database with a backup). Target: under 2 s for the whole process as a person runs it.
 * - process: `node --import tsx scripts/doctor.ts` from spawn to exit (Node and tsx start,
 *   zod, the configuration, every check); one warm-up run first (tsx's transform cache);
 * - checks: runDoctor() in this process once its modules are loaded: the checks alone, run
 *   concurrently (the slowest check decides), for information.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runDoctor } from "../../doctor/index.ts";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { createDatabaseWithBackup, runDoctorProcess, writeEnvFile } from "../../test/support/doctor-process.ts";
import { createFakePi, PI4_BOOKWORM } from "../../test/support/fake-pi.ts";
import { type Metric, summarize } from "../stats.ts";

const TOKEN = "5000000001:AAE-doctor-bench-token-0123456789";

export async function doctorBench(opts: { runs: number }): Promise<Metric[]> {
  const pi = await createFakePi(PI4_BOOKWORM);
  const api = await startLocalBotApi({ token: TOKEN });
  try {
    const dataDir = join(pi.work, "data");
    await createDatabaseWithBackup(dataDir);
    const envFile = writeEnvFile(join(pi.work, "seroma.env"), {
      DATA_DIR: dataDir,
      MOTION_PIR_PIN: "17",
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: "1001",
    });
    const env = { ...pi.env(), ENV_FILE: envFile, DOCTOR_NODE_VERSION: "22.12.0" };

    const warm = await runDoctorProcess(env);
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    const processMs: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const run = await runDoctorProcess(env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      processMs.push(run.ms);
    }

    const checksMs: number[] = [];
    for (let i = 0; i <= opts.runs; i++) {
      const started = performance.now();
      const report = await runDoctor({ root: pi.root, env, nodeVersion: "22.12.0" });
      assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => c.status !== "ok")));
      if (i > 0) checksMs.push(performance.now() - started); // the first one loads the modules
    }

    const p = summarize(processMs);
    const c = summarize(checksMs);
    const scenario = `npm run doctor, fake Pi 4 Bookworm, all ok (${opts.runs} runs)`;
    return [
      { scenario, metric: "process wall p50", value: p.p50, unit: "ms", target: { op: "<", value: 2000 } },
      { scenario, metric: "process wall max", value: p.max, unit: "ms" },
      { scenario, metric: "the 16 checks in-process p50", value: c.p50, unit: "ms" },
      { scenario, metric: "the 16 checks in-process max", value: c.max, unit: "ms" },
    ];
  } finally {
    await api.close();
    pi.cleanup();
  }
}
