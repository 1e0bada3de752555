import exifr from 'exifr';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { JPEG as PROGRESSIVE_JPEG, PNG as TINY_PNG } from '../modules/service-guide/applications-fixtures';
import {
  COMMENT_MARK,
  exifTiff,
  FIXTURE_GPS,
  jpegSegments,
  phoneJpeg,
  phonePng,
  plainJpeg,
  pngChunkList,
  segment,
  XMP_MARK,
} from './image-fixtures';
import { createMetadataStripper, NotWellFormedError, tiffOrientation } from './image-metadata';

/** Runs a file through the stripper in chunks of the given sizes (cycled). */
function strip(mime: string, file: Buffer, sizes: number[] = [file.length]): Buffer {
  const s = createMetadataStripper(mime)!;
  const out: Buffer[] = [];
  let o = 0;
  for (let k = 0; o < file.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    out.push(...s.write(file.subarray(o, o + n)));
    o += n;
  }
  out.push(...s.end());
  return Buffer.concat(out);
}

const pixels = (file: Buffer) => Buffer.from(jpeg.decode(file, { useTArray: true }).data);

describe('the JPEG metadata stripper', () => {
  it('takes out EXIF with GPS, XMP, IPTC, comments and what follows the image, keeping the picture bit for bit', async () => {
    const phone = phoneJpeg({ orientation: 6 });
    // The fixture really carries what a phone writes: GPS that an EXIF reader finds.
    const before = await exifr.gps(phone);
    expect(before.latitude).toBeCloseTo(FIXTURE_GPS.latitude, 3);
    expect(before.longitude).toBeCloseTo(FIXTURE_GPS.longitude, 3);
    expect(phone.includes(XMP_MARK)).toBe(true);

    const out = strip('image/jpeg', phone);
    expect(await exifr.gps(out)).toBeUndefined();
    const tags = await exifr.parse(out, {
      xmp: true,
      iptc: true,
      icc: false,
      tiff: true,
      exif: true,
      gps: true,
    });
    expect(tags).toEqual({ Orientation: 'Rotate 90 CW' });
    expect(out.includes(XMP_MARK)).toBe(false);
    expect(out.includes(Buffer.from(COMMENT_MARK))).toBe(false);
    expect(out.includes(Buffer.from('Huawei'))).toBe(false);
    expect(out.includes(Buffer.from('8BIM'))).toBe(false);
    // Kept: the ICC profile and JFIF header; one APP1 with the orientation only.
    const codes = jpegSegments(out).map((s) => s.code.toString(16));
    expect(codes.filter((c) => c === 'e1')).toHaveLength(1);
    expect(codes).toContain('e2');
    expect(codes).toContain('e0');
    expect(codes).not.toContain('fe');
    expect(codes).not.toContain('ed');
    // It decodes to the very same pixels, and ends at the image's own end marker.
    expect(pixels(out).equals(pixels(plainJpeg()))).toBe(true);
    expect(out.subarray(-2).equals(Buffer.from([0xff, 0xd9]))).toBe(true);
    expect(out.length).toBeLessThan(phone.length);
  });

  it('gives the same bytes however the file is cut into chunks', () => {
    const phone = phoneJpeg({ orientation: 8, littleEndian: false });
    const whole = strip('image/jpeg', phone);
    expect(strip('image/jpeg', phone, [1]).equals(whole)).toBe(true);
    expect(strip('image/jpeg', phone, [2, 3, 5, 7, 11, 13, 1000]).equals(whole)).toBe(true);
    expect(strip('image/jpeg', phone, [4096]).equals(whole)).toBe(true);
    expect(
      tiffOrientation(
        jpegSegments(whole)
          .find((s) => s.code === 0xe1)!
          .body.subarray(6),
      ),
    ).toBe(8);
  });

  it('drops the EXIF block whole when the photo needs no rotation', async () => {
    const out = strip('image/jpeg', phoneJpeg({ orientation: 1 }));
    expect(jpegSegments(out).some((s) => s.code === 0xe1)).toBe(false);
    expect(await exifr.parse(out)).toBeUndefined();
    expect(pixels(out).equals(pixels(plainJpeg()))).toBe(true);
  });

  it('passes a file without metadata through unchanged, also one cut short before its end marker', () => {
    const plain = plainJpeg();
    expect(strip('image/jpeg', plain, [100]).equals(plain)).toBe(true);
    // The progressive fixture the application tests upload ends without FFD9.
    expect(strip('image/jpeg', PROGRESSIVE_JPEG, [1]).equals(PROGRESSIVE_JPEG)).toBe(true);
  });

  it('keeps stuffed bytes and restart markers inside a scan, and the Adobe colour-transform segment', () => {
    const scan = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, 0xff, 0xff, 0xd9]);
    const file = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      segment(0xee, Buffer.from('Adobe\0\x64\0\0\0\0\x01', 'latin1')),
      segment(0xdb, Buffer.alloc(65, 1)),
      segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
      scan,
      Buffer.from('junk after the end', 'latin1'),
    ]);
    const out = strip('image/jpeg', file, [1]);
    // A fill byte before the end marker may go; everything else is kept as it was.
    const expected = Buffer.concat([
      file.subarray(0, file.length - scan.length - 18),
      scan.subarray(0, 9),
      Buffer.from([0xff, 0xd9]),
    ]);
    expect(out.equals(expected)).toBe(true);
  });

  it('refuses a segment whose length field is impossible', () => {
    const bad = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01, 0x00]);
    expect(() => strip('image/jpeg', bad)).toThrow(NotWellFormedError);
  });
});

describe('the PNG metadata stripper', () => {
  it('drops eXIf GPS, text, time and private chunks and what follows IEND; keeps the picture and the orientation', () => {
    const phone = phonePng({ orientation: 6 });
    const types = pngChunkList(phone).map((c) => c.type);
    expect(types).toEqual(expect.arrayContaining(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'prVt']));

    const out = strip('image/png', phone, [3, 17, 1]);
    expect(strip('image/png', phone).equals(out)).toBe(true);
    const kept = pngChunkList(out);
    expect(kept.map((c) => c.type).filter((t) => t !== 'IDAT')).toEqual(['IHDR', 'eXIf', 'IEND']);
    expect(tiffOrientation(kept.find((c) => c.type === 'eXIf')!.data)).toBe(6);
    expect(kept.find((c) => c.type === 'eXIf')!.data.length).toBe(26);
    expect(out.includes(XMP_MARK)).toBe(false);
    expect(out.includes(Buffer.from('appended after IEND'))).toBe(false);
    // pngjs checks every CRC and decodes the same pixels.
    const a = PNG.sync.read(out);
    const b = PNG.sync.read(
      Buffer.concat([
        phone.subarray(0, 8),
        ...pngChunkList(phone)
          .filter((c) => ['IHDR', 'IDAT', 'IEND'].includes(c.type))
          .map((c) => c.raw),
      ]),
    );
    expect(a.width).toBe(24);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('passes a plain PNG through unchanged', () => {
    expect(strip('image/png', TINY_PNG, [1]).equals(TINY_PNG)).toBe(true);
  });

  it('reads the orientation of either byte order, and none from a broken TIFF', () => {
    expect(tiffOrientation(exifTiff({ orientation: 3, littleEndian: true }))).toBe(3);
    expect(tiffOrientation(exifTiff({ orientation: 5, littleEndian: false }))).toBe(5);
    expect(tiffOrientation(exifTiff({}))).toBeNull();
    expect(tiffOrientation(Buffer.from('MM\0*\0\0\xff\xff', 'latin1'))).toBeNull();
  });
});
