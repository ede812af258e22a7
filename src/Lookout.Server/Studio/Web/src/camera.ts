import { useEffect, useRef, useState } from "preact/hooks";

/** Live video needs getUserMedia, which browsers give only to https pages and localhost. */
export const liveCameraAllowed = () =>
  typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;

/** The back camera in a video element: start, stop (also when the view goes), and one frame as a JPEG. */
export function useCamera(onError: (message: string) => void) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  useEffect(() => () => stream?.getTracks().forEach(t => t.stop()), [stream]);

  const start = async () => {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false });
      setStream(s);
      video.current!.srcObject = s;
      await video.current!.play();
    } catch (e) { onError(`Camera unavailable: ${(e as Error).message}`); }
  };
  const stop = () => { stream?.getTracks().forEach(t => t.stop()); setStream(null); };
  const grab = () => new Promise<Blob>((res, rej) => {
    const v = video.current!;
    const canvas = document.createElement("canvas");
    canvas.width = v.videoWidth; canvas.height = v.videoHeight;
    canvas.getContext("2d")!.drawImage(v, 0, 0);
    canvas.toBlob(b => (b ? res(b) : rej(new Error("no frame"))), "image/jpeg", 0.92);
  });
  return { video, stream, start, stop, grab };
}
