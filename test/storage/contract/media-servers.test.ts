/**
 * The media / hosts / server-results contract against both backends: SQLite (a real file
 * in a temp directory) and AWS (dynalite + s3rver on 127.0.0.1, real SDK clients), plus
 * what only the AWS backend has: the S3 object itself (key layout, encryption header,
 * content type), presigned URLs, orphan sweeping in the bucket, corrupt items, AWS down.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AwsContext } from "../../../storage/aws/client.ts";
import { createAwsContext } from "../../../storage/aws/client.ts";
import {
  MediaValidationError as AwsMediaValidationError,
  createS3MediaStore,
  MEDIA_TABLES,
  presignMediaUrl,
} from "../../../storage/aws/media.ts";
import {
  InvalidServerDataError as AwsInvalidServerDataError,
  CorruptHostError,
  type CorruptServerResult,
  createDynamoHostRepository,
  createDynamoServerResultRepository,
  SERVER_TABLES,
} from "../../../storage/aws/servers.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { MediaValidationError } from "../../../storage/sqlite/media.ts";
import { InvalidServerDataError } from "../../../storage/sqlite/servers.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { host, mediaContract, okResult, realJpeg, serversContract, snap, T0 } from "./media-servers.ts";

const TABLES = [...MEDIA_TABLES, ...SERVER_TABLES];

function openSqlite() {
  const dataDir = mkdtempSync(join(tmpdir(), "seroma-contract-"));
  const storage = createSqliteStorage({ dataDir });
  return {
    storage,
    async close() {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh local AWS per test; closing it also checks that nothing was ever Scanned. */
async function openAws() {
  const aws = await startLocalAws({ tables: TABLES });
  const { ctx } = aws;
  return {
    aws,
    storage: {
      media: createS3MediaStore(ctx),
      hosts: createDynamoHostRepository(ctx),
      serverResults: createDynamoServerResultRepository(ctx),
    },
    async close() {
      const ops = [...ctx.requests.keys()];
      await aws.stop();
      assert.ok(!ops.includes("Scan"), `no Scan, ever (requests: ${ops.join(", ")})`);
      assert.ok(ops.includes("Query") || ops.includes("GetItem"), `the test reached DynamoDB (${ops.join(", ")})`);
    },
  };
}

describe("contract: SQLite media store", () => {
  mediaContract(async () => openSqlite(), { MediaValidationError });
});
describe("contract: SQLite hosts and server results", () => {
  serversContract(async () => openSqlite(), { InvalidServerDataError });
});
describe("contract: AWS media store (S3 + DynamoDB)", () => {
  mediaContract(openAws, { MediaValidationError: AwsMediaValidationError });
});
describe("contract: AWS hosts and server results (DynamoDB)", () => {
  serversContract(openAws, { InvalidServerDataError: AwsInvalidServerDataError });
});

/** Every key under a prefix of the local bucket. */
async function keysUnder(ctx: AwsContext, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.s3.send(
      new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort();
}

describe("AWS media store: S3 specifics", () => {
  let local: LocalAws;
  before(async () => {
    local = await startLocalAws({ tables: TABLES });
  });
  after(async () => {
    await local?.stop();
  });

  test("objects are date-partitioned under media/ROOM, sent with SSE AES256, the content type and no ACL", async () => {
    const { ctx } = local;
    const sent: Array<Record<string, string>> = [];
    ctx.s3.middlewareStack.add(
      (next, context) => async (args) => {
        if ((context as { commandName?: string }).commandName === "PutObjectCommand") {
          sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "recordPutObjectHeaders" },
    );
    try {
      const media = createS3MediaStore(ctx);
      const jpeg = await realJpeg();
      const at = Date.parse("2026-01-31T23:59:58Z");
      const item = await media.save(snap("test-room", at, { bytes: jpeg }));
      const gif = await media.save({
        roomId: "Salle é/1",
        at: Date.parse("2027-02-03T04:05:06Z"),
        kind: "clip",
        mime: "image/gif",
        reason: "motion",
        bytes: Buffer.from("GIF89a..."),
      });
      assert.match(item.key, /^media\/test-room\/2026\/01\/31\/test-room-235958-snapshot-[0-9a-f]{12}\.jpg$/);
      assert.match(gif.key, /^media\/Salle_e_1\/2027\/02\/03\/Salle_e_1-040506-clip-[0-9a-f]{12}\.gif$/);

      assert.equal(sent.length, 2);
      for (const [headers, mime] of [
        [sent[0], "image/jpeg"],
        [sent[1], "image/gif"],
      ] as const) {
        assert.equal(headers?.["x-amz-server-side-encryption"], "AES256");
        assert.equal(headers?.["content-type"], mime);
        assert.ok(!Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "x-amz-acl"), "no ACL header");
      }

      const head = await ctx.s3.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: item.key }));
      assert.equal(head.ContentType, "image/jpeg");
      assert.equal(head.ContentLength, jpeg.length);
      const obj = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: item.key }));
      assert.deepEqual(
        Buffer.from((await obj.Body?.transformToByteArray()) ?? []),
        jpeg,
        "stored as sent (no chunk framing)",
      );
      assert.deepEqual(await keysUnder(ctx), [item.key, gif.key].sort(), "one object per item, nothing else");
    } finally {
      ctx.s3.middlewareStack.remove("recordPutObjectHeaders");
    }
  });

  test("a presigned URL fetches the bytes over plain HTTP; expired or foreign-signed ones are refused", async () => {
    const { ctx } = local;
    const media = createS3MediaStore(ctx);
    const jpeg = await realJpeg();
    const item = await media.save(snap("presign-room", T0, { bytes: jpeg }));
    const url = await presignMediaUrl(ctx, item);
    const parsed = new URL(url);
    assert.equal(parsed.searchParams.get("X-Amz-Expires"), "900", "15 minutes by default");
    assert.ok(parsed.searchParams.get("X-Amz-Signature"));
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/jpeg");
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), jpeg);

    // s3rver does not verify SigV4 signatures (real S3 does), but it does check the access key and the expiry.
    const short = new URL(await presignMediaUrl(ctx, item, 60));
    assert.equal(short.searchParams.get("X-Amz-Expires"), "60");
    short.searchParams.set("X-Amz-Date", "20200101T000000Z");
    const expired = await fetch(short);
    assert.equal(expired.status, 403, "a URL past its expiry is refused");
    assert.match(await expired.text(), /expired/i);
    const stranger = createAwsContext({
      ...local.options,
      credentials: { accessKeyId: "NOT-A-KEY", secretAccessKey: "nope" },
    });
    try {
      const forged = await fetch(await presignMediaUrl(stranger, item));
      assert.equal(forged.status, 403, "a URL signed with unknown credentials is refused");
      await forged.arrayBuffer();
    } finally {
      stranger.destroy();
    }
    await assert.rejects(presignMediaUrl(ctx, item, 0), RangeError);
    await assert.rejects(presignMediaUrl(ctx, item, 8 * 86_400), RangeError);
  });

  test("sweepOrphans deletes old objects without an index row, keeps indexed, young and foreign objects", async () => {
    const { ctx } = local;
    const media = createS3MediaStore(ctx);
    const indexed = await media.save(snap("sweep-room", T0));
    const removedRow = await media.save(snap("sweep-room", T0 + 1));
    const put = (Key: string) => ctx.s3.send(new PutObjectCommand({ Bucket: ctx.bucket, Key, Body: Buffer.from("x") }));
    // Left by a crash between the object and the row: same folder as an indexed item, and a folder of its own.
    const folder = indexed.key.slice(0, indexed.key.lastIndexOf("/"));
    const orphan = `${folder}/sweep-room-101501-snapshot-0badc0de0bad.jpg`;
    const lonely = "media/sweep-room/2025/12/30/sweep-room-101500-snapshot-deadbeefdead.jpg";
    await put(orphan);
    await put(lonely);
    // Not in the store's layout: never touched.
    const foreign = ["media/README", "media/sweep-room/notes.txt", "backups/seroma.db"];
    for (const k of foreign) await put(k);

    const all = new Set(await keysUnder(ctx));
    for (const k of [indexed.key, removedRow.key, orphan, lonely, ...foreign]) assert.ok(all.has(k), k);

    assert.equal(await media.sweepOrphans(Date.now() - 3_600_000), 0, "young objects stay (a save may be under way)");
    assert.equal(await media.sweepOrphans(Date.now() + 60_000), 2);
    const left = new Set(await keysUnder(ctx));
    assert.ok(!left.has(orphan) && !left.has(lonely), "orphans deleted");
    for (const k of [indexed.key, removedRow.key, ...foreign]) assert.ok(left.has(k), `${k} kept`);
    assert.deepEqual(await media.read(indexed.id), snap("sweep-room", T0).bytes);

    assert.equal(await media.remove(removedRow.id), true);
    assert.ok(!(await keysUnder(ctx)).includes(removedRow.key), "remove deletes the object too");
    assert.equal(await media.sweepOrphans(Date.now() + 60_000), 0, "nothing left to sweep");
  });

  test("read is undefined when the object is gone (NoSuchKey); remove still succeeds", async () => {
    const { ctx } = local;
    const media = createS3MediaStore(ctx);
    const item = await media.save(snap("gone-room", T0));
    await ctx.s3.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: item.key }));
    assert.equal(await media.read(item.id), undefined);
    assert.deepEqual(await media.get(item.id), item, "the row is still there");
    assert.equal(await media.remove(item.id), true);
    assert.equal(await media.get(item.id), undefined);
  });

  test("two consoles on one backend share ids, totals and the oldest list", async () => {
    const other = createAwsContext(local.options);
    try {
      const a = createS3MediaStore(local.ctx);
      const b = createS3MediaStore(other);
      const before = await a.usage();
      const saved = await Promise.all([
        a.save(snap("room-a", T0, { bytes: Buffer.alloc(10, 1) })),
        b.save(snap("room-b", T0, { bytes: Buffer.alloc(20, 2) })),
        a.save(snap("room-a", T0 + 1, { bytes: Buffer.alloc(30, 3) })),
        b.save(snap("room-b", T0 + 1, { bytes: Buffer.alloc(40, 4) })),
      ]);
      assert.equal(new Set(saved.map((s) => s.id)).size, 4, "no id handed out twice");
      const after = await b.usage();
      assert.equal(after.count - before.count, 4);
      assert.equal(after.bytes - before.bytes, 100);
      assert.deepEqual(await b.get(saved[0]?.id ?? 0), saved[0], "each console reads the other's rows");
      assert.deepEqual(await a.read(saved[3]?.id ?? 0), Buffer.alloc(40, 4));
      const oldestIds = (await b.oldest(1_000)).map((m) => m.id);
      for (const s of saved) assert.ok(oldestIds.includes(s.id), `oldest() sees item ${s.id} of either console`);
      for (const s of saved) assert.equal(await b.remove(s.id), true);
      assert.deepEqual(await a.usage(), before);
    } finally {
      other.destroy();
    }
  });

  test("a save whose index write fails leaves no object behind", async () => {
    // A context whose tables were never created: the object is written, the counter update fails.
    const broken = createAwsContext({ ...local.options, prefix: "no-such-tables" });
    try {
      const media = createS3MediaStore(broken);
      const before = await keysUnder(local.ctx, "media/broken-room/");
      await assert.rejects(media.save(snap("broken-room", T0)), (err: unknown) => {
        assert.equal((err as Error).name, "ResourceNotFoundException");
        return true;
      });
      assert.deepEqual(before, []);
      assert.deepEqual(await keysUnder(local.ctx, "media/broken-room/"), [], "the object was deleted again");
    } finally {
      broken.destroy();
    }
  });
});

describe("AWS servers: DynamoDB specifics", () => {
  let local: LocalAws;
  before(async () => {
    local = await startLocalAws({ tables: TABLES });
  });
  after(async () => {
    await local?.stop();
  });

  test("a corrupt host item makes reads throw CorruptHostError; remove still works", async () => {
    const { ctx } = local;
    const hosts = createDynamoHostRepository(ctx);
    await hosts.add("c", host("web1"));
    await ctx.doc.send(
      new PutCommand({
        TableName: ctx.table("hosts"),
        Item: { ...host("web2"), roomId: "c", services: ["nginx", "x; reboot"] },
      }),
    );
    await assert.rejects(hosts.get("c", "web2"), (err: unknown) => {
      assert.ok(err instanceof CorruptHostError, String(err));
      assert.equal(err.roomId, "c");
      assert.equal(err.host, "web2");
      assert.match(err.problem, /services\.1: must match SERVICE_NAME/);
      return true;
    });
    await assert.rejects(hosts.list("c"), CorruptHostError, "a list is exact or nothing");
    await assert.rejects(hosts.add("c", host("web2")), CorruptHostError, "the duplicate's existing entry is read");
    assert.equal(await hosts.remove("c", "web2"), true);
    assert.deepEqual(await hosts.add("c", host("web2")), { ok: true });
    assert.deepEqual(await hosts.list("c"), [host("web1"), host("web2")]);
  });

  test("corrupt result items are skipped and reported, never thrown; latestPerHost leaves the host out", async () => {
    const { ctx } = local;
    const reported: CorruptServerResult[] = [];
    const results = createDynamoServerResultRepository(ctx, { onCorrupt: (c) => reported.push(c) });
    await results.add("r", okResult("web1", 1_000, 1));
    await results.add("r", okResult("web1", 2_000, 2));
    await results.add("r", okResult("web2", 1_000, 1));
    const [newest] =
      (
        await ctx.doc.send(
          new QueryCommand({
            TableName: ctx.table("server-results"),
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": "result#r#web1" },
            ScanIndexForward: false,
            Limit: 1,
          }),
        )
      ).Items ?? [];
    assert.ok(newest);
    await ctx.doc.send(
      new PutCommand({ TableName: ctx.table("server-results"), Item: { ...newest, result: '{"oops' } }),
    );
    await ctx.doc.send(
      new PutCommand({
        TableName: ctx.table("server-results"),
        Item: { ...newest, pk: "latest#r", sk: "web1", result: '{"host":"web1","at":2000}' },
      }),
    );

    assert.deepEqual(await results.latest("r", "web1", 10), [okResult("web1", 1_000, 1)]);
    assert.deepEqual(
      reported.map((c) => [c.roomId, c.host, c.at, c.problem]),
      [["r", "web1", 2_000, "result: not valid JSON"]],
    );
    reported.length = 0;
    assert.deepEqual([...(await results.latestPerHost("r")).keys()], ["web2"], "not replaced by an older result");
    assert.equal(reported.length, 1);
    assert.match(reported[0]?.problem ?? "", /durationMs/);

    const throwing = createDynamoServerResultRepository(ctx, {
      onCorrupt: () => {
        throw new Error("listener bug");
      },
    });
    assert.equal((await throwing.latest("r", "web1", 10)).length, 1, "a throwing hook changes nothing");
  });
});

describe("AWS backend unreachable", () => {
  test("every operation rejects (no hang, no silent empty answer)", async () => {
    const local = await startLocalAws({ tables: TABLES });
    const media0 = createS3MediaStore(local.ctx);
    const item = await media0.save(snap("down-room", T0));
    await local.stop();

    const ctx = createAwsContext({ ...local.options, maxAttempts: 1 });
    try {
      const media = createS3MediaStore(ctx);
      const hosts = createDynamoHostRepository(ctx);
      const results = createDynamoServerResultRepository(ctx);
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["media.save", () => media.save(snap("down-room", T0))],
        ["media.get", () => media.get(item.id)],
        ["media.read", () => media.read(item.id)],
        ["media.list", () => media.list("down-room", { limit: 5 })],
        ["media.usage", () => media.usage()],
        ["media.oldest", () => media.oldest(5)],
        ["media.remove", () => media.remove(item.id)],
        ["media.sweepOrphans", () => media.sweepOrphans(Date.now())],
        ["hosts.add", () => hosts.add("down-room", host("web1"))],
        ["hosts.list", () => hosts.list("down-room")],
        ["results.add", () => results.add("down-room", okResult("web1", 1))],
        ["results.latestPerHost", () => results.latestPerHost("down-room")],
        ["results.prune", () => results.prune(1)],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: unknown) => err instanceof Error, `${name} rejects`);
      }
    } finally {
      ctx.destroy();
    }
  });
});
