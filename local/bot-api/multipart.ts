/**
 * multipart/form-data, as grammY (and curl, and browsers) send uploads: the parts of a body,
 * each with its field name, file name and content type.
 */
import { badRequest } from "./errors.ts";

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * A small multipart/form-data parser. The WHATWG `Request#formData()` of Node 20 refuses the
 * multipart grammY writes (`content-disposition:form-data;name="x";filename=y`, no spaces or
 * quotes), so this one is lenient about exactly that.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest("can't parse multipart/form-data");
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the end
    const lineEnd = body.indexOf("\r\n", pos);
    if (lineEnd < 0) break;
    const headerStart = lineEnd + 2;
    const headerEnd = body.indexOf("\r\n\r\n", headerStart);
    if (headerEnd < 0) throw badRequest("can't parse multipart/form-data");
    const next = body.indexOf(between, headerEnd + 4);
    if (next < 0) throw badRequest("can't parse multipart/form-data");
    const headers = body.subarray(headerStart, headerEnd).toString("utf8").split("\r\n");
    const part: MultipartPart = { name: "", data: body.subarray(headerEnd + 4, next) };
    for (const line of headers) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-type") part.contentType = value;
      if (name === "content-disposition") {
        for (const m of value.matchAll(/;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
          const key = (m[1] as string).toLowerCase();
          let v = (m[2] as string).trim();
          if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
          if (key === "name") part.name = v;
          if (key === "filename") part.filename = v;
        }
      }
    }
    if (part.name) parts.push(part);
    pos = next + between.length;
  }
  return parts;
}
