/** What every route plugin of the dashboard is given. */
import type { LoginLinks } from "./auth/login-links.ts";
import type { Session, Sessions } from "./auth/sessions.ts";
import type { Actor, DashboardServices } from "./services.ts";

export interface RouteContext {
  services: DashboardServices;
  sessions: Sessions;
  links: LoginLinks;
  /** Whether the session cookie is set with Secure (WEB_PUBLIC_URL is https, or the request came over https). */
  secure(protocol: string): boolean;
  /** Rate limits (per IP, per minute). */
  limits: { login: number; api: number };
  /** How often an event stream is pinged (and the person's role checked again). */
  pingMs: number;
}

/** The person behind a session, as the audit log and alert cards name them. */
export function actorOf(session: Session): Actor {
  return { id: session.userId, name: session.name };
}

/** Writes one audit entry for something done on the dashboard ("... (web)"); a failing audit is logged, not thrown. */
export async function audit(
  services: DashboardServices,
  by: Actor,
  action: Parameters<DashboardServices["storage"]["audit"]["record"]>[0]["action"],
  detail: string,
  incidentId?: string,
): Promise<void> {
  try {
    await services.storage.audit.record({
      at: services.clock.now().getTime(),
      roomId: services.config.roomId,
      userId: by.id,
      userName: by.name,
      action,
      ...(incidentId ? { incidentId } : {}),
      detail: `${detail} (web)`.trim(),
    });
  } catch (err) {
    services.logger.error({ err: (err as Error).message, action }, "dashboard: could not write the audit log");
  }
}
