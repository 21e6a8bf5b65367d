// Worker entry: where Node does not strip TypeScript types itself (< 22.18), workers do not
// inherit tsx's loader either, so register it here first.
if (!process.features.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./bot-api-worker.ts");
