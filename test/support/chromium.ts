/**
 * The browser tests' Chromium: Debian's /usr/bin/chromium (installed by .ci/run) driven headless
 * by playwright-core. Where it is not installed, NO_CHROMIUM is the reason to skip (else false).
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const NO_CHROMIUM: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it): browser tests skipped`;

/** This machine has no internet: keep Chromium from reaching for Google's services. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A phone's screen (390x844, touch), for browser.newContext({ ...PHONE }). */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Chromium, headless, with CHROMIUM_ARGS. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}

/**
 * Collects into `problems` the browser-side problems worth failing on: console errors, page
 * errors and (unless `outsideRequests` is false) requests leaving 127.0.0.1.
 */
export function watchProblems(page: Page, problems: string[], { outsideRequests = true } = {}): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  if (!outsideRequests) return;
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.hostname !== "127.0.0.1" && u.protocol !== "data:" && u.protocol !== "blob:") {
      problems.push(`request outside the console: ${r.url()}`);
    }
  });
}
