/**
 * An alert's photo in SNS e-mails with the AWS backend: the e-mail text ends with a
 * presigned S3 link (nothing public) that fetches the very bytes stored with the alert.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { createSnsDelivery, type SnsSender } from "../../../app/alerts.ts";
import type { Notice } from "../../../core/alerts/types.ts";
import { createS3MediaStore, MEDIA_TABLES, presignMediaUrl } from "../../../storage/aws/media.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";

const entry = (id: number, notice: Notice) => ({ id, channel: "sns", notice, createdAt: notice.at, attempts: 0 });

describe("SNS alerts link the photo with the AWS backend", () => {
  let aws: LocalAws;
  before(async () => {
    aws = await startLocalAws({ tables: MEDIA_TABLES, prefix: "link" });
  });
  after(async () => {
    await aws.stop();
  });

  test("the e-mail's link is presigned and returns the stored photo; without a photo, no link", async () => {
    const media = createS3MediaStore(aws.ctx);
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#345" } })
      .jpeg()
      .toBuffer();
    const item = await media.save({
      roomId: "r1",
      at: Date.parse("2026-11-24T02:00:00Z"),
      kind: "snapshot",
      mime: "image/jpeg",
      reason: "breach",
      bytes: jpeg,
    });
    const sent: string[] = [];
    const sns: SnsSender = {
      async send(n) {
        sent.push(n.message);
        return { ok: true, ref: "m1" };
      },
    };
    const channel = createSnsDelivery(
      sns,
      () => "CRITICAL · r1\nEntry outside office hours: M at 02:00.",
      async (id) => {
        const found = await media.get(id);
        return found ? presignMediaUrl(aws.ctx, found, 86_400) : undefined;
      },
    );
    const notice = {
      kind: "raised" as const,
      roomId: "r1",
      severity: "critical" as const,
      rule: "door.breach" as const,
      at: item.at,
      details: { mediaId: item.id },
    };
    await channel.deliver(entry(1, notice), 0);
    const link = /Photo: (\S+)/.exec(sent[0] ?? "")?.[1];
    assert.ok(link, sent[0]);
    assert.match(link, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.match(link, /X-Amz-Expires=86400/);
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), jpeg);

    await channel.deliver(entry(2, { ...notice, details: {} }), 0);
    assert.doesNotMatch(sent[1] ?? "", /Photo:/);
    await channel.deliver(entry(3, { ...notice, details: { mediaId: 999_999 } }), 0);
    assert.doesNotMatch(sent[2] ?? "", /Photo:/, "a photo deleted by retention: the text alone");
  });
});
