/** Draws the demo logo (a key on a rounded tile) and encodes it as a PNG, without any image library. */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes RGBA pixels (row-major, 4 bytes per pixel) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const LOGO_SIZE = 48;

function drawLogo(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const tile = [79, 70, 229]; // indigo
  const ink = [255, 255, 255];
  const radius = size * 0.2;
  const set = (x: number, y: number, [r, g, b]: number[], a = 255) => {
    const i = (y * size + x) * 4;
    px[i] = r as number;
    px[i + 1] = g as number;
    px[i + 2] = b as number;
    px[i + 3] = a;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      // rounded tile
      const dx = Math.max(radius - cx, 0, cx - (size - radius));
      const dy = Math.max(radius - cy, 0, cy - (size - radius));
      if (dx * dx + dy * dy > radius * radius) continue;
      set(x, y, tile);
      // key: a ring on the left, a shaft to the right, two teeth
      const ringX = size * 0.33;
      const ringY = size * 0.5;
      const d = Math.hypot(cx - ringX, cy - ringY);
      const inRing = d <= size * 0.17 && d >= size * 0.08;
      const inShaft = cx >= ringX + size * 0.15 && cx <= size * 0.82 && Math.abs(cy - ringY) <= size * 0.045;
      const inTooth1 = cx >= size * 0.66 && cx <= size * 0.72 && cy >= ringY && cy <= ringY + size * 0.15;
      const inTooth2 = cx >= size * 0.76 && cx <= size * 0.82 && cy >= ringY && cy <= ringY + size * 0.11;
      if (inRing || inShaft || inTooth1 || inTooth2) set(x, y, ink);
    }
  }
  return px;
}

/** The logo as a base64 PNG, computed once. */
export const LOGO_PNG_BASE64 = encodePng(LOGO_SIZE, LOGO_SIZE, drawLogo(LOGO_SIZE)).toString('base64');
