/**
 * Draws the tab-bar icons (81×81 PNG, 4× supersampled) into src/assets/tab/. Run once after a
 * change: `npx tsx miniprogram/scripts/make-tab-icons.ts`. The PNGs are committed; WeChat's
 * tabBar takes only local image files (no SVG, no icon fonts).
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const SIZE = 81
const SS = 4

type Shape = (x: number, y: number) => boolean

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(shape: Shape, rgb: [number, number, number]): Buffer {
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1))
  for (let y = 0; y < SIZE; y++) {
    raw[y * (SIZE * 4 + 1)] = 0
    for (let x = 0; x < SIZE; x++) {
      let hits = 0
      for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) if (shape((x + (sx + 0.5) / SS) / SIZE, (y + (sy + 0.5) / SS) / SIZE)) hits++
      const o = y * (SIZE * 4 + 1) + 1 + x * 4
      raw[o] = rgb[0]
      raw[o + 1] = rgb[1]
      raw[o + 2] = rgb[2]
      raw[o + 3] = Math.round((hits / (SS * SS)) * 255)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(SIZE, 0)
  ihdr.writeUInt32BE(SIZE, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** Inside a rounded rectangle [x0,x1]×[y0,y1] with corner radius r (unit square coordinates). */
function roundRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}

const STROKE = 0.075
/** A membership card: outlined rounded rectangle with a stripe. */
const card: Shape = (x, y) =>
  (roundRect(x, y, 0.1, 0.22, 0.9, 0.78, 0.1) && !roundRect(x, y, 0.1 + STROKE, 0.22 + STROKE, 0.9 - STROKE, 0.78 - STROKE, 0.04)) ||
  (x >= 0.1 && x <= 0.9 && y >= 0.37 && y <= 0.37 + STROKE) ||
  (x >= 0.22 && x <= 0.48 && y >= 0.58 && y <= 0.58 + STROKE)
/** A person: ring head and the outline of shoulders. */
const person: Shape = (x, y) => {
  const head = Math.hypot(x - 0.5, y - 0.33)
  const ringHead = head <= 0.17 && head >= 0.17 - STROKE
  const body = Math.hypot((x - 0.5) / 0.36, (y - 0.92) / 0.3)
  const ringBody = y <= 0.86 && body <= 1 && Math.hypot((x - 0.5) / (0.36 - STROKE), (y - 0.92) / (0.3 - STROKE)) >= 1
  const base = y > 0.86 - STROKE && y <= 0.86 && Math.abs(x - 0.5) <= 0.29
  return ringHead || ringBody || base
}

const out = path.resolve(__dirname, '../src/assets/tab')
fs.mkdirSync(out, { recursive: true })
const GREY: [number, number, number] = [0x8a, 0x8f, 0x99]
const GOLD: [number, number, number] = [0xa6, 0x7a, 0x3d]
fs.writeFileSync(path.join(out, 'member.png'), png(card, GREY))
fs.writeFileSync(path.join(out, 'member-active.png'), png(card, GOLD))
fs.writeFileSync(path.join(out, 'me.png'), png(person, GREY))
fs.writeFileSync(path.join(out, 'me-active.png'), png(person, GOLD))
console.log('tab icons written to', out)
