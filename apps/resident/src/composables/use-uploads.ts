/** What the server takes: at most 20 files per application, each ≤ 10 MB, JPEG/PNG/PDF. */
export const MAX_FILES = 20;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_SIDE = 1600;

export interface PickedFile {
  key: string;
  materialName: string;
  blob: Blob;
  name: string;
  size: number;
  mime: string;
  /** An object URL for images (revoked when the file is removed). */
  thumb: string | null;
}

let seq = 0;

/** A random key: crypto.randomUUID where the page is a secure context, else from getRandomValues. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

async function loadImage(file: File): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Options of `prepareFile`: the longest side, and a size the JPEG is squeezed under (quality, then side). */
export interface PrepareOptions {
  maxSide?: number;
  /** e.g. 300 KB for a 随手拍 photo; without it one pass at quality 0.8. */
  maxBytes?: number;
}

async function encode(img: HTMLImageElement, side: number, quality: number): Promise<Blob | null> {
  const scale = Math.min(1, side / Math.max(img.naturalWidth, img.naturalHeight, 1));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
  canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', quality));
}

/** Images shrink to ≤ 1600 px on the long side, as JPEG ~0.8 (under `maxBytes` when given); a PDF goes as it is. */
export async function prepareFile(
  file: File,
  materialName: string,
  options: PrepareOptions = {},
): Promise<PickedFile> {
  let blob: Blob = file;
  let name = file.name || 'file';
  if (file.type.startsWith('image/')) {
    const img = await loadImage(file);
    let side = options.maxSide ?? MAX_SIDE;
    let quality = 0.8;
    let jpeg = await encode(img, side, quality);
    // At most a few passes: lower the quality to 0.5, then shrink the picture.
    for (let pass = 0; jpeg && options.maxBytes && jpeg.size > options.maxBytes && pass < 8; pass++) {
      if (quality > 0.55) quality -= 0.1;
      else side = Math.round(side * 0.8);
      jpeg = await encode(img, side, quality);
    }
    if (jpeg) {
      blob = jpeg;
      name = `${name.replace(/\.[^.]*$/, '') || 'photo'}.jpg`;
    }
  }
  seq += 1;
  return {
    key: `f${seq}`,
    materialName,
    blob,
    name,
    size: blob.size,
    mime: blob.type,
    thumb: blob.type.startsWith('image/') ? URL.createObjectURL(blob) : null,
  };
}

/** A file prepared earlier and kept on the phone (an offline draft), picked again. */
export function pickedFromBlob(blob: Blob, name: string, materialName = ''): PickedFile {
  seq += 1;
  return {
    key: `f${seq}`,
    materialName,
    blob,
    name,
    size: blob.size,
    mime: blob.type,
    thumb: blob.type.startsWith('image/') ? URL.createObjectURL(blob) : null,
  };
}

export function releaseFile(f: PickedFile) {
  if (f.thumb) URL.revokeObjectURL(f.thumb);
}

/** Per file: its `materialName` field immediately followed by its `files` part. */
export function appendFiles(form: FormData, files: PickedFile[]) {
  for (const f of files) {
    form.append('materialName', f.materialName);
    form.append('files', f.blob, f.name);
  }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
