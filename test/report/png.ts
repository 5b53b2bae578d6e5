/**
 * A minimal PNG decoder for the browser test's screenshots (node:zlib only): 8-bit greyscale,
 * RGB, grey+alpha and RGBA, non-interlaced — what Chromium writes. Returns RGBA pixels.
 */
import { inflateSync } from 'node:zlib'

export interface Image {
  width: number
  height: number
  /** RGBA, 4 bytes per pixel, row by row. */
  pixels: Uint8Array
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Width and height from the IHDR chunk (no decoding). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file')
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

export function decodePng(png: Buffer): Image {
  const { width, height } = pngSize(png)
  const bitDepth = png[24], colourType = png[25], interlace = png[28]
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType as 0 | 2 | 4 | 6]
  if (bitDepth !== 8 || !channels || interlace !== 0) {
    throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`)
  }
  const idat: Buffer[] = []
  for (let off = 8; off + 8 <= png.length; ) {
    const len = png.readUInt32BE(off)
    const type = png.toString('latin1', off + 4, off + 8)
    if (type === 'IDAT') idat.push(png.subarray(off + 8, off + 8 + len))
    if (type === 'IEND') break
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  if (raw.length < height * (stride + 1)) throw new Error('PNG data too short')
  const out = new Uint8Array(width * height * 4)
  let prev = new Uint8Array(stride)
  let cur = new Uint8Array(stride)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0
      const b = prev[i]
      const c = i >= channels ? prev[i - channels] : 0
      let v = line[i]
      switch (filter) {
        case 0:
          break
        case 1:
          v += a
          break
        case 2:
          v += b
          break
        case 3:
          v += (a + b) >> 1
          break
        case 4: {
          const p = a + b - c
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c)
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c
          break
        }
        default:
          throw new Error(`bad PNG filter ${filter} in row ${y}`)
      }
      cur[i] = v & 0xff
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4, s = x * channels
      if (channels >= 3) {
        out[o] = cur[s]
        out[o + 1] = cur[s + 1]
        out[o + 2] = cur[s + 2]
        out[o + 3] = channels === 4 ? cur[s + 3] : 255
      } else {
        out[o] = out[o + 1] = out[o + 2] = cur[s]
        out[o + 3] = channels === 2 ? cur[s + 1] : 255
      }
    }
    ;[prev, cur] = [cur, prev]
  }
  return { width, height, pixels: out }
}

/** Distinct colours (RGB) in the image, and how many pixels are not (near) white. */
export function colourStats(img: Image): { distinct: number; nonWhite: number; colours: Set<number> } {
  const colours = new Set<number>()
  let nonWhite = 0
  const p = img.pixels
  for (let i = 0; i < p.length; i += 4) {
    colours.add((p[i] << 16) | (p[i + 1] << 8) | p[i + 2])
    if (p[i] < 245 || p[i + 1] < 245 || p[i + 2] < 245) nonWhite++
  }
  return { distinct: colours.size, nonWhite, colours }
}

/** Whether some pixel is within `tolerance` (per channel) of the colour '#RRGGBB'. */
export function hasColour(stats: { colours: Set<number> }, hex: string, tolerance = 2): boolean {
  const v = parseInt(hex.slice(1), 16)
  const r = v >> 16, g = (v >> 8) & 255, b = v & 255
  for (const c of stats.colours) {
    if (Math.abs((c >> 16) - r) <= tolerance && Math.abs(((c >> 8) & 255) - g) <= tolerance && Math.abs((c & 255) - b) <= tolerance) return true
  }
  return false
}
