import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { pngChunk } from './image-metadata';

/**
 * Test images made here, the way phones make them: a real picture (encoded by jpeg-js / pngjs,
 * decoded again by them in the tests) carrying EXIF with GPS coordinates, XMP, comments and other
 * metadata, assembled segment by segment so the tests know exactly what went in.
 */

type TiffEntry = { tag: number; type: 2 | 3 | 4 | 5; value: string | number[] };
const TYPE_SIZE = { 2: 1, 3: 2, 4: 4, 5: 8 } as const;

/** One IFD at `offset` (values that do not fit in 4 bytes follow it); `next` is the next IFD's offset. */
function ifd(le: boolean, entries: TiffEntry[], offset: number, next = 0): Buffer {
  const dataStart = offset + 2 + entries.length * 12 + 4;
  const head = Buffer.alloc(2 + entries.length * 12 + 4);
  const data: Buffer[] = [];
  let dataLen = 0;
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  w16(head, entries.length, 0);
  entries.forEach((e, k) => {
    const o = 2 + k * 12;
    const raw =
      typeof e.value === 'string'
        ? Buffer.from(`${e.value}\0`, 'latin1')
        : (() => {
            // A RATIONAL is two LONGs (numerator, denominator): `value` lists them flat.
            const values = e.value;
            const b = Buffer.alloc(values.length * (e.type === 5 ? 4 : TYPE_SIZE[e.type]));
            values.forEach((v, i) => {
              if (e.type === 3) w16(b, v, i * 2);
              else w32(b, v, i * 4);
            });
            return b;
          })();
    const count =
      typeof e.value === 'string' ? raw.length : e.type === 5 ? e.value.length / 2 : e.value.length;
    w16(head, e.tag, o);
    w16(head, e.type, o + 2);
    w32(head, count, o + 4);
    if (raw.length <= 4) raw.copy(head, o + 8);
    else {
      w32(head, dataStart + dataLen, o + 8);
      data.push(raw);
      dataLen += raw.length;
      if (raw.length % 2) {
        data.push(Buffer.alloc(1));
        dataLen += 1;
      }
    }
  });
  w32(head, next, 2 + entries.length * 12);
  return Buffer.concat([head, ...data]);
}

/** The GPS position the fixtures carry: 天安门 (39.9042 N, 116.3974 E), as degrees/minutes/seconds. */
export const FIXTURE_GPS = { latitude: 39.9042, longitude: 116.3974 };
const dms = (deg: number) => {
  const d = Math.floor(deg);
  const m = Math.floor((deg - d) * 60);
  const s = Math.round(((deg - d) * 60 - m) * 60 * 100);
  return [d, 1, m, 1, s, 100];
};

/** A TIFF structure as EXIF carries it: IFD0 (make, model, orientation, time) and a GPS IFD. */
export function exifTiff(opts: { orientation?: number; littleEndian?: boolean } = {}): Buffer {
  const le = opts.littleEndian ?? true;
  const header = Buffer.alloc(8);
  header.write(le ? 'II' : 'MM', 0, 'latin1');
  if (le) {
    header.writeUInt16LE(42, 2);
    header.writeUInt32LE(8, 4);
  } else {
    header.writeUInt16BE(42, 2);
    header.writeUInt32BE(8, 4);
  }
  const ifd0Entries = (gpsAt: number): TiffEntry[] => [
    { tag: 0x010f, type: 2, value: 'Huawei' },
    { tag: 0x0110, type: 2, value: 'P60 Pro' },
    ...(opts.orientation ? [{ tag: 0x0112, type: 3 as const, value: [opts.orientation] }] : []),
    { tag: 0x0132, type: 2, value: '2026:11:27 09:41:00' },
    { tag: 0x8825, type: 4, value: [gpsAt] },
  ];
  const ifd0Len = ifd(le, ifd0Entries(0), 8).length;
  const gpsAt = 8 + ifd0Len;
  const gps = ifd(
    le,
    [
      { tag: 0x0001, type: 2, value: 'N' },
      { tag: 0x0002, type: 5, value: dms(FIXTURE_GPS.latitude) },
      { tag: 0x0003, type: 2, value: 'E' },
      { tag: 0x0004, type: 5, value: dms(FIXTURE_GPS.longitude) },
    ],
    gpsAt,
  );
  return Buffer.concat([header, ifd(le, ifd0Entries(gpsAt), 8), gps]);
}

/** A JPEG marker segment: FF, code, length, body. */
export function segment(code: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, code, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff]);
  return Buffer.concat([head, body]);
}

/** A small real picture (colour bands and noise, so the scan has stuffed 0xFF bytes), as jpeg-js encodes it. */
export function plainJpeg(width = 64, height = 48): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      data[i] = (x * 4) & 255;
      data[i + 1] = (y * 5) & 255;
      data[i + 2] = seed & 255;
      data[i + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data, width, height }, 90).data);
}

export const XMP_MARK = '<exif:GPSLatitude>39,54.252N</exif:GPSLatitude>';
export const COMMENT_MARK = '拍摄地点：我家楼下';

/**
 * A phone-like photo: SOI, APP1 EXIF (GPS, camera, time, the given orientation), APP1 XMP with
 * the position again, an ICC profile, IPTC (APP13), a comment, then the picture jpeg-js encoded,
 * then a second picture after the end-of-image marker (as phones append previews) with its own EXIF.
 */
export function phoneJpeg(opts: { orientation?: number; littleEndian?: boolean } = {}): Buffer {
  const picture = plainJpeg();
  const body = picture.subarray(2); // without its SOI
  const exif = segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(opts)]));
  const xmp = segment(
    0xe1,
    Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${XMP_MARK}</x:xmpmeta>`, 'utf8'),
  );
  const icc = segment(
    0xe2,
    Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), Buffer.alloc(64, 7)]),
  );
  const iptc = segment(0xed, Buffer.from('Photoshop 3.0\x008BIM\x04\x04 city: Beijing', 'latin1'));
  const comment = segment(0xfe, Buffer.from(COMMENT_MARK, 'utf8'));
  const trailer = Buffer.concat([Buffer.from([0xff, 0xd8]), exif, plainJpeg(16, 16).subarray(2)]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), exif, xmp, icc, iptc, comment, body, trailer]);
}

/** A real PNG (pngjs) with eXIf (GPS, orientation), text chunks, a time stamp, a private chunk and trailing bytes. */
export function phonePng(opts: { orientation?: number } = {}): Buffer {
  const png = new PNG({ width: 24, height: 16 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = i & 255;
    png.data[i + 1] = (i >> 3) & 255;
    png.data[i + 2] = 200;
    png.data[i + 3] = 255;
  }
  const plain = PNG.sync.write(png);
  const chunks = pngChunkList(plain);
  const ihdr = chunks.find((c) => c.type === 'IHDR')!;
  const rest = chunks.filter((c) => c.type !== 'IHDR');
  const inserted = [
    pngChunk('eXIf', exifTiff({ orientation: opts.orientation, littleEndian: false })),
    pngChunk('tEXt', Buffer.from(`Comment\0${XMP_MARK}`, 'latin1')),
    pngChunk(
      'zTXt',
      Buffer.concat([Buffer.from('Location\0\0', 'latin1'), zlib.deflateSync('39.9042,116.3974')]),
    ),
    pngChunk('iTXt', Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0${XMP_MARK}`, 'utf8')),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 11, 27, 9, 41, 0])),
    pngChunk('prVt', Buffer.from('private maker data', 'latin1')),
  ];
  return Buffer.concat([
    plain.subarray(0, 8),
    ihdr.raw,
    ...inserted,
    ...rest.map((c) => c.raw),
    Buffer.from('appended after IEND', 'latin1'),
  ]);
}

/** The chunks of a PNG, in order, each with its raw bytes (length, type, data, CRC). */
export function pngChunkList(png: Buffer): { type: string; data: Buffer; raw: Buffer }[] {
  const out: { type: string; data: Buffer; raw: Buffer }[] = [];
  let o = 8;
  while (o + 8 <= png.length) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    if (!/^[A-Za-z]{4}$/.test(type) || o + 12 + len > png.length) break;
    out.push({ type, data: png.subarray(o + 8, o + 8 + len), raw: png.subarray(o, o + 12 + len) });
    o += 12 + len;
    if (type === 'IEND') break;
  }
  return out;
}

/** The marker codes of a JPEG's segments before its first scan, in order. */
export function jpegSegments(file: Buffer): { code: number; body: Buffer }[] {
  const out: { code: number; body: Buffer }[] = [];
  let o = 2;
  while (o + 4 <= file.length && file[o] === 0xff) {
    const code = file[o + 1]!;
    const len = file.readUInt16BE(o + 2);
    out.push({ code, body: file.subarray(o + 4, o + 2 + len) });
    o += 2 + len;
    if (code === 0xda) break;
  }
  return out;
}
