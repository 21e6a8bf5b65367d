/**
 * Files the bot sends: uploads (multipart), file ids it got back earlier, and http(s) URLs.
 * Each becomes a `StoredFile` with Telegram-like ids, a MIME type sniffed from the bytes (the
 * file name's extension, then the declared type, otherwise), image dimensions for photos (and
 * for videos sent without width/height), and a `file_path` for getFile and
 * `GET /file/bot<token>/<file_path>`. A photo is known under its id and its thumbnail's.
 * Photos must be images (IMAGE_PROCESS_FAILED); file ids must be known or an http(s) URL.
 *
 * Bounded for local mode (`limits.maxFileBytes`): beyond it the oldest files are forgotten and
 * their bytes dropped, even from the messages that show them.
 */
import { badRequest } from "./errors.ts";
import { imageSize } from "./images.ts";
import { intParam, isUploadedFile, type Params } from "./params.ts";
import type { MediaKind, StoredFile, UploadedFile } from "./types.ts";

export class FileStore {
  /** By file_id (photo thumbnail ids included). */
  readonly files = new Map<string, StoredFile>();
  private readonly maxFileBytes: number;
  private nextFileNo = 1;
  private fileBytes = 0;

  constructor(maxFileBytes: number) {
    this.maxFileBytes = maxFileBytes;
  }

  /**
   * The file a method names in `value` (an upload, `attach://name`, a known file_id or an
   * http(s) URL), stored. `p` is where width, height and duration are read for videos.
   */
  resolve(kind: MediaKind, value: unknown, uploads: Map<string, UploadedFile>, p: Params): StoredFile {
    let upload: UploadedFile | undefined;
    if (isUploadedFile(value)) upload = value;
    else if (typeof value === "string" && value.startsWith("attach://")) {
      upload = uploads.get(value.slice("attach://".length));
      if (!upload) throw badRequest(`wrong file identifier/HTTP URL specified`);
    }
    if (value === undefined || value === null || value === "") throw badRequest(`there is no ${kind} in the request`);

    const no = this.nextFileNo++;
    const file: StoredFile = {
      file_id: `${kind}-${no}`,
      file_unique_id: `unique-${no}`,
      kind,
      file_path: "",
    };
    if (upload) {
      if (upload.bytes.length === 0) throw badRequest("file must be non-empty");
      file.bytes = upload.bytes;
      file.filename = upload.filename;
      file.mime = sniffMime(upload.bytes, upload.filename, upload.mime);
    } else if (typeof value === "string" && /^https?:\/\//i.test(value)) {
      file.url = value;
      file.filename = value.split(/[?#]/)[0]?.split("/").pop() || undefined;
    } else if (typeof value === "string" && this.files.has(value)) {
      return this.files.get(value) as StoredFile; // resending a known file keeps its id
    } else {
      throw badRequest("wrong file identifier/HTTP URL specified");
    }

    if (kind === "photo") {
      const size = file.bytes ? imageSize(file.bytes) : { width: 800, height: 600 };
      if (!size) throw badRequest("IMAGE_PROCESS_FAILED");
      file.width = size.width;
      file.height = size.height;
    } else if (kind === "video" || kind === "animation") {
      const size = file.bytes ? imageSize(file.bytes) : undefined;
      file.width = intParam(p, "width") ?? size?.width ?? 640;
      file.height = intParam(p, "height") ?? size?.height ?? 360;
      file.duration = intParam(p, "duration") ?? 0;
    }
    const ext = extensionOf(file.filename, file.mime);
    file.file_path = `${kind}s/file_${no}${ext ? `.${ext}` : ""}`;
    this.files.set(file.file_id, file);
    if (kind === "photo") this.files.set(`${file.file_id}-thumb`, file);
    this.fileBytes += file.bytes?.length ?? 0;
    this.forgetOldFiles(file);
    return file;
  }

  /** The file at `file_path`, if its bytes are still kept (for `GET /file/bot<token>/<file_path>`). */
  byPath(path: string): StoredFile | undefined {
    return [...this.files.values()].find((f) => f.file_path === path && f.bytes);
  }

  /** Forgets the oldest uploaded files (never `keep`) while their bytes exceed `maxFileBytes`. */
  private forgetOldFiles(keep: StoredFile): void {
    if (this.fileBytes <= this.maxFileBytes) return;
    for (const [id, f] of this.files) {
      if (this.fileBytes <= this.maxFileBytes) break;
      if (f === keep) continue;
      this.files.delete(id);
      // A photo is listed twice (its id and its "-thumb" id); count its bytes once.
      if (!id.endsWith("-thumb")) this.fileBytes -= f.bytes?.length ?? 0;
      // Messages still point at the file: drop the bytes so the memory really goes.
      delete f.bytes;
    }
  }
}

/** The `type` of an InputMedia (sendMediaGroup, editMessageMedia). */
export function mediaKind(type: unknown): MediaKind {
  if (type === "photo" || type === "video" || type === "animation" || type === "document") return type;
  throw badRequest("unsupported media type");
}

/** The fields a message carries for its file: photo sizes (with a thumbnail), video, animation or document. */
export function mediaFields(f: StoredFile): Record<string, unknown> {
  const size = f.bytes ? { file_size: f.bytes.length } : {};
  const common = { file_id: f.file_id, file_unique_id: f.file_unique_id, ...size };
  switch (f.kind) {
    case "photo": {
      const width = f.width ?? 800;
      const height = f.height ?? 600;
      const full = { ...common, width, height };
      const scale = 90 / Math.max(width, height);
      if (scale >= 1) return { photo: [full] };
      const thumb = {
        file_id: `${f.file_id}-thumb`,
        file_unique_id: `${f.file_unique_id}-thumb`,
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
      };
      return { photo: [thumb, full] };
    }
    case "video":
    case "animation": {
      const obj: Record<string, unknown> = {
        ...common,
        width: f.width ?? 640,
        height: f.height ?? 360,
        duration: f.duration ?? 0,
      };
      if (f.filename) obj.file_name = f.filename;
      if (f.mime) obj.mime_type = f.mime;
      if (f.kind === "video") return { video: obj };
      const document: Record<string, unknown> = { ...common };
      if (f.filename) document.file_name = f.filename;
      if (f.mime) document.mime_type = f.mime;
      return { animation: obj, document };
    }
    case "document": {
      const obj: Record<string, unknown> = { ...common };
      if (f.filename) obj.file_name = f.filename;
      if (f.mime) obj.mime_type = f.mime;
      return { document: obj };
    }
  }
}

/** By file extension: a Map, so an extension from a file name never reaches Object.prototype. */
const MIME_BY_EXT = new Map<string, string>([
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["gif", "image/gif"],
  ["webp", "image/webp"],
  ["bmp", "image/bmp"],
  ["mp4", "video/mp4"],
  ["webm", "video/webm"],
  ["pdf", "application/pdf"],
  ["txt", "text/plain"],
  ["csv", "text/csv"],
  ["json", "application/json"],
  ["zip", "application/zip"],
]);

function sniffMime(bytes: Buffer, filename: string, declared: string): string {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x89504e47) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.toString("ascii", 0, 3) === "GIF") return "image/gif";
  if (bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WEBP") return "image/webp";
  if (bytes.toString("ascii", 4, 8) === "ftyp") return "video/mp4";
  if (bytes.toString("ascii", 0, 4) === "%PDF") return "application/pdf";
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return "video/webm";
  const ext = filename.split(".").pop()?.toLowerCase() ?? "";
  return MIME_BY_EXT.get(ext) ?? (declared || "application/octet-stream");
}

function extensionOf(filename: string | undefined, mime: string | undefined): string {
  const fromName = filename?.includes(".") ? filename.split(".").pop() : undefined;
  if (fromName) return fromName.toLowerCase();
  const found = [...MIME_BY_EXT].find(([, m]) => m === mime);
  return found ? found[0] : "";
}
