/**
 * Every table of the AWS backend, in one place (for aws:setup, the start-up check and
 * tests). Each repository's file defines its own table; here they are grouped.
 */
import { ACCESS_LOG_TABLES } from "./access-log.ts";
import { AUDIT_TABLES } from "./audit.ts";
import type { TableSpec } from "./client.ts";
import { INCIDENTS_TABLES } from "./incidents.ts";
import { MEDIA_TABLES } from "./media.ts";
import { MUTES_TABLES } from "./mutes.ts";
import { OUTBOX_TABLES } from "./outbox.ts";
import { READINGS_TABLES } from "./readings.ts";
import { SERVER_TABLES } from "./servers.ts";
import { STAFF_TABLES } from "./staff.ts";
import { USER_SETTINGS_TABLES } from "./user-settings.ts";

/** Door access: the staff register (shared by every room), then the access log. */
export const ACCESS_TABLES: readonly TableSpec[] = [...STAFF_TABLES, ...ACCESS_LOG_TABLES];

/** The alert pipeline: incidents, outbox, mutes, audit. */
export const ALERT_TABLES: readonly TableSpec[] = [
  ...INCIDENTS_TABLES,
  ...OUTBOX_TABLES,
  ...MUTES_TABLES,
  ...AUDIT_TABLES,
];

/** Every table of the AWS backend. */
export const ALL_TABLES: readonly TableSpec[] = [
  ...READINGS_TABLES,
  ...USER_SETTINGS_TABLES,
  ...ACCESS_TABLES,
  ...ALERT_TABLES,
  ...MEDIA_TABLES,
  ...SERVER_TABLES,
];
