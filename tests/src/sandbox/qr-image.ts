/**
 * The image behind getwxacodeunlimit. We do not implement WeChat's sun-code symbology; instead
 * we draw a QR-like grid whose data modules are the bits of the scene, and we also store the
 * scene and page in PNG tEXt chunks so tests and the browser e2e can read back what was encoded
 * (readPngText). The PNG is real: zlib-deflated scanlines, CRC-checked chunks.
 */
import zlib from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Grid size in modules: 25×25 like a version-2 QR code, with three 7×7 finder patterns. */
const GRID = 25;

function isFinder(row: number, col: number): boolean | undefined {
  const corners: Array<[number, number]> = [[0, 0], [0, GRID - 7], [GRID - 7, 0]];
  for (const [r0, c0] of corners) {
    const r = row - r0;
    const c = col - c0;
    if (r >= 0 && r < 7 && c >= 0 && c < 7) {
      const ring = Math.min(r, c, 6 - r, 6 - c);
      return ring !== 1; // dark outer ring, light ring, dark 3×3 centre
    }
    if (r >= -1 && r <= 7 && c >= -1 && c <= 7) return false; // light separator
  }
  return undefined;
}

function moduleGrid(scene: string): boolean[][] {
  const payload = Buffer.from(scene, 'utf8');
  const bits: boolean[] = [];
  for (const byte of [payload.length, ...payload]) for (let i = 7; i >= 0; i -= 1) bits.push(((byte >> i) & 1) === 1);
  const grid: boolean[][] = [];
  let next = 0;
  for (let row = 0; row < GRID; row += 1) {
    const line: boolean[] = [];
    for (let col = 0; col < GRID; col += 1) {
      const finder = isFinder(row, col);
      if (finder !== undefined) {
        line.push(finder);
      } else {
        // Data bits repeat to fill the grid, XOR a checkerboard mask so runs do not look blank.
        line.push((bits[next % bits.length] ?? false) !== ((row + col) % 2 === 0));
        next += 1;
      }
    }
    grid.push(line);
  }
  return grid;
}

export type RenderSceneInput = {
  scene: string;
  page: string;
  width: number;
  lineColor: [number, number, number];
  transparent: boolean;
};

/** A `width`×`width` RGBA PNG of the scene's grid with a 2-module quiet zone. */
export function renderScenePng(input: RenderSceneInput): Buffer {
  const grid = moduleGrid(input.scene);
  const total = GRID + 4;
  const { width } = input;
  const background = input.transparent ? [255, 255, 255, 0] : [255, 255, 255, 255];
  const foreground = [...input.lineColor, 255];
  const raw = Buffer.alloc((width * 4 + 1) * width);
  for (let y = 0; y < width; y += 1) {
    const rowOffset = y * (width * 4 + 1);
    raw[rowOffset] = 0; // filter: none
    const moduleRow = Math.floor((y * total) / width) - 2;
    for (let x = 0; x < width; x += 1) {
      const moduleCol = Math.floor((x * total) / width) - 2;
      const dark = grid[moduleRow]?.[moduleCol] ?? false;
      const pixel = dark ? foreground : background;
      for (let i = 0; i < 4; i += 1) raw[rowOffset + 1 + x * 4 + i] = pixel[i] ?? 0;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('tEXt', Buffer.from(`scene\0${input.scene}`, 'latin1')),
    chunk('tEXt', Buffer.from(`page\0${input.page}`, 'latin1')),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** tEXt key/value pairs of a PNG, after checking the signature and every chunk's CRC. */
export function readPngText(png: Buffer): Record<string, string> {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const out: Record<string, string> = {};
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const typeAndData = png.subarray(offset + 4, offset + 8 + length);
    if (crc32(typeAndData) !== png.readUInt32BE(offset + 8 + length)) throw new Error('PNG chunk CRC mismatch');
    const type = typeAndData.subarray(0, 4).toString('ascii');
    if (type === 'tEXt') {
      const data = typeAndData.subarray(4);
      const separator = data.indexOf(0);
      out[data.subarray(0, separator).toString('latin1')] = data.subarray(separator + 1).toString('latin1');
    }
    offset += 12 + length;
  }
  return out;
}
