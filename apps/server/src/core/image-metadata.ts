import zlib from 'node:zlib';

/**
 * Removes what a photo says about the person who took it (EXIF with GPS, XMP, IPTC, comments,
 * maker notes, embedded previews) while the bytes stream in, at the level of the file's own
 * segments: the picture data is copied untouched, so nothing is re-encoded and no decoded image
 * is ever held in memory (decision in docs/decisions.md). What survives:
 *
 * - JPEG: every segment a decoder needs (tables, frame and scan headers, the scans), the JFIF
 *   header, an ICC colour profile, Adobe's colour-transform marker, and, when the photo was
 *   rotated by the camera, a new minimal EXIF block holding only the Orientation tag (a phone
 *   stores portrait photos sideways and says so there; dropping it would show them on their
 *   side). Everything after the end-of-image marker (phones append depth maps, HDR gain maps and
 *   other pictures there, some with their own EXIF) is dropped.
 * - PNG: the critical chunks and the ancillary chunks that change how the picture looks
 *   (transparency, gamma, colour space, ICC profile, pixel size, animation); `eXIf` is replaced
 *   by a minimal one with the orientation only; text (`tEXt`, `zTXt`, `iTXt`), `tIME` and any
 *   other or private chunk are dropped, and so is anything after `IEND`.
 *
 * Each marker segment of a JPEG is at most 64 KB and is held whole while it is judged; the
 * entropy-coded scans, which are the bulk of the file, are passed through as they arrive.
 */
export interface MetadataStripper {
  /** Feeds the next bytes; answers the bytes to keep, in order (slices of the input where possible). */
  write(chunk: Buffer): Buffer[];
  /** The end of the file: answers what is left to keep. */
  end(): Buffer[];
}

/** The file's structure cannot be followed (a JPEG segment shorter than its own length field, …). */
export class NotWellFormedError extends Error {
  constructor(readonly format: 'JPEG' | 'PNG') {
    super(`not a well-formed ${format}`);
    this.name = 'NotWellFormedError';
  }
}

/** A stripper for the file's kind, or null when the kind carries no photo metadata we remove (PDF). */
export function createMetadataStripper(mime: string): MetadataStripper | null {
  if (mime === 'image/jpeg') return new JpegStripper();
  if (mime === 'image/png') return new PngStripper();
  return null;
}

/** The Orientation (1–8) in a TIFF structure (EXIF's body), or null. */
export function tiffOrientation(tiff: Buffer): number | null {
  if (tiff.length < 8) return null;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const n = u16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + 12 * k;
    if (e + 12 > tiff.length) break;
    if (u16(e) !== 0x0112) continue;
    // SHORT, count 1: the value sits in the first two bytes of the value field.
    if (u16(e + 2) !== 3 || u32(e + 4) < 1) return null;
    const v = u16(e + 8);
    return v >= 1 && v <= 8 ? v : null;
  }
  return null;
}

/** A TIFF structure with one IFD holding only the Orientation tag (big-endian, 26 bytes). */
export function orientationOnlyTiff(orientation: number): Buffer {
  const b = Buffer.alloc(26);
  b.write('MM', 0, 'latin1');
  b.writeUInt16BE(42, 2);
  b.writeUInt32BE(8, 4); // IFD0 right after the header
  b.writeUInt16BE(1, 8); // one entry
  b.writeUInt16BE(0x0112, 10); // Orientation
  b.writeUInt16BE(3, 12); // SHORT
  b.writeUInt32BE(1, 14); // count
  b.writeUInt16BE(orientation, 18); // value, left-justified in the 4-byte field
  b.writeUInt32BE(0, 22); // no next IFD (and so no thumbnail)
  return b;
}

const EXIF_ID = Buffer.from('Exif\0\0', 'latin1');
const startsWith = (b: Buffer, prefix: string) =>
  b.length >= prefix.length && b.toString('latin1', 0, prefix.length) === prefix;

/** JPEG: markers and segments per ITU T.81 (B.1.1); scans are copied through. */
class JpegStripper implements MetadataStripper {
  private state: 'soi' | 'marker' | 'code' | 'length' | 'segment' | 'scan' | 'scan-ff' | 'done' = 'soi';
  private soi = 0;
  private code = 0;
  private lengthBytes: number[] = [];
  private segment: Buffer = Buffer.alloc(0);
  private filled = 0;
  private orientationKept = false;

  write(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'soi': {
          const want = this.soi === 0 ? 0xff : 0xd8;
          if (chunk[i] !== want) throw new NotWellFormedError('JPEG');
          i++;
          if (++this.soi === 2) {
            out.push(Buffer.from([0xff, 0xd8]));
            this.state = 'marker';
          }
          break;
        }
        case 'marker':
          // Bytes between segments that are not a marker are junk; decoders skip them too.
          if (chunk[i++] === 0xff) this.state = 'code';
          break;
        case 'code': {
          const b = chunk[i++]!;
          this.marker(b, out);
          break;
        }
        case 'length':
          this.lengthBytes.push(chunk[i++]!);
          if (this.lengthBytes.length === 2) {
            const length = (this.lengthBytes[0]! << 8) | this.lengthBytes[1]!;
            if (length < 2) throw new NotWellFormedError('JPEG');
            this.segment = Buffer.alloc(length - 2);
            this.filled = 0;
            if (length === 2) this.finishSegment(out);
            else this.state = 'segment';
          }
          break;
        case 'segment': {
          const n = Math.min(this.segment.length - this.filled, chunk.length - i);
          chunk.copy(this.segment, this.filled, i, i + n);
          this.filled += n;
          i += n;
          if (this.filled === this.segment.length) this.finishSegment(out);
          break;
        }
        case 'scan': {
          // One slice up to the next real marker: stuffed zeros and restart markers stay inside it.
          let from = i;
          let ff = chunk.indexOf(0xff, from);
          while (ff !== -1 && ff + 1 < chunk.length) {
            const b = chunk[ff + 1]!;
            if (b !== 0x00 && !(b >= 0xd0 && b <= 0xd7)) break;
            from = ff + 2;
            ff = chunk.indexOf(0xff, from);
          }
          if (ff === -1) {
            out.push(chunk.subarray(i));
            i = chunk.length;
          } else {
            if (ff > i) out.push(chunk.subarray(i, ff));
            i = ff + 1;
            this.state = 'scan-ff';
          }
          break;
        }
        case 'scan-ff': {
          const b = chunk[i]!;
          if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) {
            // A stuffed 0xFF or a restart marker: still inside the scan.
            out.push(Buffer.from([0xff, b]));
            i++;
            this.state = 'scan';
          } else if (b === 0xff) {
            i++; // fill byte before a marker
          } else {
            this.state = 'code'; // the scan ended: this byte is the next marker's code
          }
          break;
        }
        case 'done':
          // After the end-of-image marker: appended pictures and trailers are dropped.
          return out;
      }
    }
    return out;
  }

  end(): Buffer[] {
    // A file cut short: what was kept stays; a half-read segment is dropped.
    return [];
  }

  private marker(b: number, out: Buffer[]) {
    if (b === 0xff) return; // fill bytes
    if (b === 0x00) {
      this.state = 'marker'; // a stuffed zero outside a scan is junk
      return;
    }
    if (b === 0xd9) {
      out.push(Buffer.from([0xff, 0xd9]));
      this.state = 'done';
      return;
    }
    if (b === 0xd8) throw new NotWellFormedError('JPEG');
    if (b === 0x01 || (b >= 0xd0 && b <= 0xd7)) {
      out.push(Buffer.from([0xff, b])); // markers without a segment
      this.state = 'marker';
      return;
    }
    this.code = b;
    this.lengthBytes = [];
    this.state = 'length';
  }

  private finishSegment(out: Buffer[]) {
    const { code, segment } = this;
    const keep = (body: Buffer) => {
      const head = Buffer.from([0xff, code, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff]);
      out.push(head, body);
    };
    if (code === 0xe1) {
      // APP1: EXIF (camera, time, GPS, maker notes, thumbnail) or XMP. Only the orientation survives.
      if (!this.orientationKept && startsWith(segment, 'Exif\0\0')) {
        const orientation = tiffOrientation(segment.subarray(6));
        if (orientation !== null && orientation !== 1) {
          keep(Buffer.concat([EXIF_ID, orientationOnlyTiff(orientation)]));
          this.orientationKept = true;
        }
      }
    } else if (code === 0xe0) {
      if (startsWith(segment, 'JFIF\0')) keep(segment);
    } else if (code === 0xe2) {
      if (startsWith(segment, 'ICC_PROFILE\0')) keep(segment); // MPF and FlashPix go
    } else if (code === 0xee) {
      if (startsWith(segment, 'Adobe')) keep(segment); // tells the decoder the colour transform
    } else if ((code >= 0xe3 && code <= 0xef) || code === 0xfe) {
      // Other application segments (IPTC, maker data, …) and comments: dropped.
    } else {
      keep(segment);
    }
    this.segment = Buffer.alloc(0);
    this.state = code === 0xda ? 'scan' : 'marker';
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Ancillary chunks that change how the picture is shown; every other ancillary chunk is dropped. */
const PNG_KEEP = new Set([
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'sBIT',
  'bKGD',
  'pHYs',
  'hIST',
  'sPLT',
  'cICP',
  'mDCV',
  'cLLI',
  'mDCv',
  'cLLi',
  'acTL',
  'fcTL',
  'fdAT',
]);
const MAX_EXIF_CHUNK = 64 * 1024;

/** PNG: chunk by chunk (length, type, data, CRC). */
class PngStripper implements MetadataStripper {
  private state: 'signature' | 'head' | 'copy' | 'skip' | 'exif' | 'done' = 'signature';
  private head: number[] = [];
  private remaining = 0;
  private type = '';
  private exif: Buffer = Buffer.alloc(0);
  private filled = 0;

  write(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'signature':
          if (chunk[i] !== PNG_SIGNATURE[this.head.length]) throw new NotWellFormedError('PNG');
          this.head.push(chunk[i++]!);
          if (this.head.length === 8) {
            out.push(PNG_SIGNATURE);
            this.head = [];
            this.state = 'head';
          }
          break;
        case 'head':
          this.head.push(chunk[i++]!);
          if (this.head.length === 8) this.startChunk(out);
          break;
        case 'copy':
        case 'skip': {
          const n = Math.min(this.remaining, chunk.length - i);
          if (this.state === 'copy') out.push(chunk.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.type === 'IEND' ? 'done' : 'head';
          break;
        }
        case 'exif': {
          const n = Math.min(this.remaining, chunk.length - i);
          chunk.copy(this.exif, this.filled, i, i + n);
          this.filled += n;
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            const orientation = tiffOrientation(this.exif.subarray(0, this.exif.length - 4));
            if (orientation !== null && orientation !== 1)
              out.push(pngChunk('eXIf', orientationOnlyTiff(orientation)));
            this.exif = Buffer.alloc(0);
            this.state = 'head';
          }
          break;
        }
        case 'done':
          return out; // anything after IEND is dropped
      }
    }
    return out;
  }

  end(): Buffer[] {
    return [];
  }

  private startChunk(out: Buffer[]) {
    const head = Buffer.from(this.head);
    this.head = [];
    const length = head.readUInt32BE(0);
    if (length > 0x7fffffff) throw new NotWellFormedError('PNG');
    this.type = head.toString('latin1', 4, 8);
    if (!/^[A-Za-z]{4}$/.test(this.type)) throw new NotWellFormedError('PNG');
    this.remaining = length + 4; // data and CRC
    const critical = (head[4]! & 0x20) === 0;
    if (critical || PNG_KEEP.has(this.type)) {
      out.push(head);
      this.state = 'copy';
    } else if (this.type === 'eXIf' && length <= MAX_EXIF_CHUNK) {
      this.exif = Buffer.alloc(this.remaining);
      this.filled = 0;
      this.state = 'exif';
    } else {
      this.state = 'skip';
    }
  }
}

/** One PNG chunk: length, type, data, CRC-32 over type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const typeBytes = Buffer.from(type, 'latin1');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  typeBytes.copy(head, 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(typeBytes)) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}
