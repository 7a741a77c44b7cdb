/**
 * The kernel's logo, drawn here rather than shipped as binary files: a dark square with a light
 * "h" whose proportions follow the size. Jupyter wants logo-32x32.png and logo-64x64.png in the
 * kernelspec directory (jupyter_client docs/kernels.rst, "Kernel specs").
 * PNG layout: W3C PNG spec (2nd ed.), §5 (chunks) and §11.2.2 (IHDR), RGBA 8-bit, filter 0.
 */
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Is pixel (x, y) of a size×size logo part of the letter? */
function ink(x: number, y: number, size: number): boolean {
  const u = size / 16;
  const stem = x >= 4 * u && x < 6.5 * u && y >= 3 * u && y < 13 * u;
  const arch = x >= 4 * u && x < 12 * u && y >= 7 * u && y < 9.5 * u;
  const leg = x >= 9.5 * u && x < 12 * u && y >= 7 * u && y < 13 * u;
  return stem || arch || leg;
}

export function logoPng(size: number): Buffer {
  const row = 1 + size * 4;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const o = y * row + 1 + x * 4;
      const [r, g, b] = ink(x, y, size) ? [0xf2, 0xf5, 0xfa] : [0x1f, 0x3a, 0x5f];
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" fill="#1f3a5f"/>' +
  '<path d="M4 3h2.5v4H12v6H9.5V9.5h-3V13H4z" fill="#f2f5fa"/></svg>\n';
