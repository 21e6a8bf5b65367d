/**
 * The camera, in the order HARDWARE=auto picks it: a Raspberry Pi camera that
 * `rpicam-still --list-cameras` lists (`libcamera-still` on older OS), else a USB webcam
 * at CAMERA_DEVICE (under the doctor's root) with ffmpeg to read it.
 */
import { type Check, ok, skip, unusable } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

export const cameraCheck: Check = {
  id: "camera",
  title: "Camera",
  manual: "rpicam-still --list-cameras",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { hardware, camera } = ctx.config.config;
    if (hardware === "sim") return skip("HARDWARE=sim: the camera is simulated");
    const { probeRpicam, probeV4l2 } = await import("../../hardware/camera/index.ts");
    const pi = await probeRpicam({ env: ctx.env, timeoutMs: 5000 });
    if (pi.available) return ok(`Raspberry Pi camera (${pi.commandPrefix}-still): ${pi.camera}`);
    const usb = await probeV4l2({ device: ctx.at(camera.device), env: ctx.env, sysfsRoot: ctx.root });
    if (usb.available) {
      return ok(
        `USB webcam ${camera.device}${usb.name ? ` (${usb.name})` : ""} through ffmpeg; no Raspberry Pi camera`,
      );
    }
    const why = `Raspberry Pi camera: ${pi.reason}; USB webcam: ${usb.reason}`;
    if (!(await ctx.board()).isPi) return skip(`not a Raspberry Pi and no webcam (the camera is simulated). ${why}`);
    const toolsMissing = /not installed/.test(pi.reason ?? "");
    return unusable(
      hardware,
      `no camera. ${why}`,
      toolsMissing
        ? "`sudo apt install rpicam-apps` for a Raspberry Pi camera, or `sudo apt install ffmpeg` for a USB webcam"
        : "check the camera's ribbon cable (then `rpicam-hello --list-cameras`); for a USB webcam `v4l2-ctl --list-devices` names its /dev/videoN: set CAMERA_DEVICE to it",
    );
  },
};
