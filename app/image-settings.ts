/**
 * sharp (libvips) sized for a small Pi: libvips keeps a cache of recent operations (sharp's
 * default: 50 MB, 20 files, 100 operations), and runs each image on `concurrency` threads
 * (sharp's default: 1 on glibc Linux without jemalloc, as on Raspberry Pi OS, to limit
 * memory fragmentation; one per core elsewhere). The console makes one snapshot or chart at
 * a time and never reads the same file twice, so a small cache and one thread keep the
 * resident memory down (`npm run bench -- service` compares sharp's defaults with these).
 */
import sharp from "sharp";

export function configureImages(opts: { cacheMb: number; concurrency: number }): void {
  sharp.cache(opts.cacheMb > 0 ? { memory: opts.cacheMb, files: 0, items: 50 } : false);
  sharp.concurrency(opts.concurrency);
}
