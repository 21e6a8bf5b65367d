/**
 * The camera port: still pictures and short clips of the room. Implemented by the
 * Raspberry Pi driver (rpicam-still / rpicam-vid, or libcamera-* on older systems), the
 * V4L2 driver (ffmpeg, for USB webcams) and the simulator (frames drawn with sharp).
 *
 * One capture at a time per camera: a call while another capture runs waits its turn
 * (drivers serialize internally). Sharing one capture between concurrent requests is the
 * capture service's job (core/camera/capture-service.ts), not the driver's.
 *
 * Live view (optional, `stream`): the camera runs continuously and hands over JPEG frames
 * as they come (rpicam-vid --codec mjpeg, ffmpeg -f mjpeg, the simulator's room). A stream
 * is a capture like the others: it holds the camera until it stops, so a snapshot asked of
 * the driver meanwhile waits behind it. Sharing one stream between viewers, and serving
 * snapshots from its frames meanwhile, is the live camera's job (core/camera/live-camera.ts).
 */

/** A still picture, as the camera took it (not annotated). */
export interface Snapshot {
  /** JPEG bytes. */
  jpeg: Buffer;
  width: number;
  height: number;
  /** Epoch ms when the frame was taken. */
  at: number;
}

/** A short recording Telegram can play. */
export interface Clip {
  bytes: Buffer;
  /** "mp4" (H.264, sent with sendVideo) or "gif" (sent with sendAnimation; the fallback without ffmpeg). */
  format: "mp4" | "gif";
  mime: "video/mp4" | "image/gif";
  width: number;
  height: number;
  /** Length of the recording in seconds. */
  seconds: number;
  /** Epoch ms when recording started. */
  at: number;
}

export type CameraErrorCode =
  /** The capture program, library or device is missing (not installed, no /dev/video0, no camera attached). */
  | "unavailable"
  /** The capture did not finish within its time limit (the process was killed). */
  | "timeout"
  /** The capture ran and failed (non-zero exit, empty or undecodable output). */
  | "failed"
  /** The camera was closed. */
  | "closed";

export class CameraError extends Error {
  override readonly name = "CameraError";
  readonly code: CameraErrorCode;
  constructor(code: CameraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface ClipOptions {
  onProgress?: (fraction: number) => void;
}

export interface StreamOptions {
  /** Frames per second asked of the camera (a cap: the driver may deliver fewer, rarely a few more). */
  fps: number;
  /** Frame size (default: the camera's width and height). */
  width?: number;
  height?: number;
  /** Aborting stops the stream: the program is killed and stream() resolves once it is gone. */
  signal: AbortSignal;
  /**
   * Called with every frame, as it arrives (`at`: when it was taken, or, for programs that
   * pipe frames, when it was read from the pipe). Must not throw and must not block: keep the
   * frame and return. The Buffer is the caller's to keep.
   */
  onFrame: (frame: Snapshot) => void;
}

export interface Camera {
  /** "rpicam", "v4l2" or "sim". */
  readonly driver: string;
  /** Frame size of snapshots (and clips, unless the driver says otherwise). */
  readonly width: number;
  readonly height: number;
  /** One still picture. Rejects with CameraError, never with anything else. */
  snapshot(): Promise<Snapshot>;
  /**
   * A recording of `seconds` (1..60). `onProgress` gets 0..1 while recording (at least at
   * the start and when recording ends, before encoding). Rejects with CameraError, never
   * with anything else.
   */
  clip(seconds: number, opts?: ClipOptions): Promise<Clip>;
  /**
   * Optional: a live stream of JPEG frames (see StreamOptions), for the live view. Runs
   * until `signal` aborts (then resolves, after the capture program has exited) or the
   * capture fails (rejects with CameraError: "unavailable", "failed", "timeout" when no frame
   * came within the camera's time limit, "closed" when the camera was closed). A stream is
   * one capture: it waits for captures before it, and later ones wait for it to stop.
   */
  stream?(opts: StreamOptions): Promise<void>;
  /** Stops any capture in progress (it rejects with code "closed") and releases the device. Safe to call twice. */
  close(): Promise<void>;
}
