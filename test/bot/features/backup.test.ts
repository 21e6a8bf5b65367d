/** /backup and the nightly backup end to end: files in DATA_DIR/backups, retention, failure notice. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { ADMIN, type ConsoleHarness, STAFF, STAFF_GROUP, startConsoleHarness } from "../../support/console-harness.ts";

/** An admin's /backup: its progress message ("Backing up…"), once it has become the result. */
async function backup(h: ConsoleHarness) {
  const progress = await h.ask(ADMIN, "/backup");
  return h.api.waitFor(() => {
    const m = h.api.messages(ADMIN.id).find((x) => x.message_id === progress.message_id);
    return m && !/Backing up the database/.test(m.text ?? "") ? m : undefined;
  }, 20_000);
}

describe("backups", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ env: { BACKUP_KEEP: "2", BACKUP_AT: "03:30" } });
  });
  after(async () => {
    await h.stop();
  });

  test("an admin's /backup writes a checked copy; staff may not", async () => {
    const reply = await backup(h);
    assert.match(
      reply.text ?? "",
      /Backup written: seroma-20261123-100000\.db \(\d+\.\d MB, \d+ ms\)\. It is the only backup kept in /,
    );
    // the folder itself, not the name of a setting
    assert.ok(reply.text?.endsWith(`kept in ${h.config.backup.dir}.`), reply.text);
    assert.deepEqual(readdirSync(h.config.backup.dir), ["seroma-20261123-100000.db"]);
    assert.match((await h.ask(STAFF, "/backup")).text ?? "", /Only an admin/);
    const audit = await h.storage.audit.latest("test-room", 5);
    assert.ok(audit.some((a) => a.action === "backup" && a.detail === "seroma-20261123-100000.db"));
  });

  test("the nightly run keeps the newest BACKUP_KEEP", async () => {
    for (const day of ["24", "25"]) {
      h.clock.set(`2026-11-${day}T03:30:00Z`);
      await h.scheduler.tick("backup");
    }
    assert.deepEqual(readdirSync(h.config.backup.dir).sort(), [
      "seroma-20261124-033000.db",
      "seroma-20261125-033000.db",
    ]);
  });

  test("a nightly backup that fails is reported in the staff group", async () => {
    rmSync(h.config.backup.dir, { recursive: true, force: true });
    writeFileSync(h.config.backup.dir, "a file where the backup directory should be");
    h.clock.set("2026-11-26T03:30:00Z");
    await h.scheduler.tick("backup");
    const notice = await h.api.waitFor(() =>
      h.api.messages(STAFF_GROUP.id).find((m) => m.from_bot && /Backup failed/.test(m.text ?? "")),
    );
    assert.match(notice.text ?? "", /EEXIST|ENOTDIR/);
    rmSync(h.config.backup.dir, { force: true });
    assert.match((await backup(h)).text ?? "", /Backup written/);
  });
});

describe("backups uploaded to S3 (STORAGE=sqlite with S3_BUCKET)", () => {
  let h: ConsoleHarness;
  let aws: LocalAws;
  before(async () => {
    aws = await startLocalAws({ bucket: "pi-backups" });
    h = await startConsoleHarness({
      env: { S3_BUCKET: "pi-backups", AWS_REGION: "eu-central-1", AWS_S3_ENDPOINT: aws.options.endpoints?.s3 ?? "" },
      s3Credentials: LOCAL_CREDENTIALS,
    });
  });
  after(async () => {
    await h.stop();
    await aws.stop().catch(() => undefined);
  });

  test("/backup writes locally and uploads the same bytes under backups/ROOM/; S3 down keeps the local copy", async () => {
    const reply = await backup(h);
    assert.match(reply.text ?? "", /Uploaded to s3:\/\/pi-backups\/backups\/test-room\/seroma-20261123-100000\.db/);
    const object = await aws.ctx.s3.send(
      new GetObjectCommand({ Bucket: "pi-backups", Key: "backups/test-room/seroma-20261123-100000.db" }),
    );
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    assert.deepEqual(bytes, readFileSync(join(h.config.backup.dir, "seroma-20261123-100000.db")));

    await aws.stop();
    h.clock.advance(60_000);
    const offline = await backup(h);
    assert.match(offline.text ?? "", /Backup written: seroma-20261123-100100\.db/);
    assert.match(offline.text ?? "", /Kept locally, but the upload to S3 failed/);
  });
});
