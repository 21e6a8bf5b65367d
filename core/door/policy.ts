/**
 * Door access policy: who may come in when. A card is judged by its exact normalized
 * UID only (never by a name): unknown -> "unknown", revoked -> "revoked", a known card
 * outside office hours -> "off-hours" (a breach), otherwise "allowed".
 */

import { isWithinOfficeHours, type OfficeHours } from "../office-hours.ts";
import type { AccessDecision, StaffMember } from "./ports.ts";

export function decideAccess(member: StaffMember | undefined, at: Date, hours: OfficeHours): AccessDecision {
  if (!member) return "unknown";
  if (!member.active) return "revoked";
  return isWithinOfficeHours(at, hours) ? "allowed" : "off-hours";
}
