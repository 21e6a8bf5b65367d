/**
 * On a hub, every rendering of an alert from another room names that room: the Telegram
 * card (and its safe short form, and a digest line), the admins' chats, the SNS subject and
 * body (what an e-mail or SMS subscriber reads, the subject as SNS will take it), in both
 * languages, for every kind of notice a room sends.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSnsDelivery } from "../../../app/alerts.ts";
import { createI18n } from "../../../bot/i18n.ts";
import { sanitizeSubject } from "../../../channels/sns/sns-channel.ts";
import { summarizeNotice } from "../../../channels/telegram/group-channel.ts";
import { htmlToPlain, renderDigestLine, renderNotice } from "../../../core/alerts/render.ts";
import type { Notice } from "../../../core/alerts/types.ts";

const ROOM = "dc-7";
const AT = Date.parse("2026-12-06T10:00:00Z");

const NOTICES: Notice[] = [
  {
    kind: "raised",
    roomId: ROOM,
    severity: "critical",
    rule: "climate.temperature",
    at: AT,
    details: { quantity: "temperature", direction: "high", value: "31.0", unit: "°C", limit: "30.0" },
  },
  {
    kind: "escalated",
    roomId: ROOM,
    severity: "critical",
    rule: "climate.humidity",
    at: AT,
    details: { quantity: "humidity", direction: "high", value: "75", unit: "%", limit: "70" },
  },
  { kind: "reminder", roomId: ROOM, severity: "warning", rule: "reader.dead", at: AT, details: { reason: "timeout" } },
  {
    kind: "recovered",
    roomId: ROOM,
    severity: "info",
    rule: "climate.temperature",
    at: AT,
    details: { quantity: "temperature", value: "24.0", unit: "°C", durationMs: 600_000 },
  },
  {
    kind: "raised",
    roomId: ROOM,
    severity: "critical",
    rule: "door.breach",
    at: AT,
    details: { uid: "04a1b2c3", name: "Ada", time: "03:12" },
  },
  { kind: "started", roomId: ROOM, severity: "info", at: AT, details: { driver: "sim", open: 0 } },
  { kind: "summary", roomId: ROOM, severity: "info", at: AT, details: { incidents: 2, open: 0 } },
  { kind: "backup-failed", roomId: ROOM, severity: "warning", at: AT, details: { error: "disk full" } },
  {
    kind: "undeliverable",
    roomId: ROOM,
    severity: "critical",
    at: AT,
    details: { channel: "sns", error: "400", what: "a breach" },
  },
  {
    kind: "database-replaced",
    roomId: ROOM,
    severity: "critical",
    at: AT,
    details: { file: "a.db", setAside: "a.db.bad", error: "corrupt", backups: "/b" },
  },
];

describe("alerts from another room name it, wherever they are read", () => {
  const i18n = createI18n("en");
  for (const locale of ["en", "ja"]) {
    const t = (k: string, v?: Record<string, string | number>) => i18n.t(locale, k, v);
    const ctx = { t, timeZone: "UTC", now: AT };

    test(`${locale}: the Telegram card's first line, its safe form, the admins' chats, a digest line`, () => {
      for (const n of NOTICES) {
        const what = `${n.kind} ${n.rule ?? ""}`;
        const card = renderNotice(ctx, n);
        assert.ok(card.split("\n")[0]?.includes(ROOM), `${locale} ${what}: ${card}`);
        assert.ok(summarizeNotice(ctx, n).includes(ROOM), `${locale} ${what} (safe form)`);
        // A hub's digest is titled by its first notice's room; a line of another room names its own.
        assert.ok(renderDigestLine(ctx, n, "hq").includes(ROOM), `${locale} ${what} (digest line)`);
      }
    });

    test(`${locale}: SNS (e-mail, SMS): the subject as SNS takes it, and the body; the safe form too`, async () => {
      const sent: Array<{ subject: string; message: string; roomId: string }> = [];
      const sns = createSnsDelivery(
        {
          async send(m) {
            sent.push(m);
            return { ok: true };
          },
        },
        (n, late) => renderNotice(ctx, n, late),
      );
      for (const [i, n] of NOTICES.entries()) {
        const entry = { id: i + 1, channel: "sns", createdAt: AT, attempts: 0, notice: n };
        await sns.deliver(entry, 0);
        await sns.deliverSafe?.(entry, "refused");
      }
      for (const m of sent) {
        assert.equal(m.roomId, ROOM);
        assert.ok(sanitizeSubject(m.subject).includes(ROOM), `${locale}: subject ${m.subject}`);
        assert.ok(htmlToPlain(m.message).includes(ROOM), `${locale}: body ${m.message}`);
      }
      assert.equal(sent.length, NOTICES.length * 2);
    });
  }
});
