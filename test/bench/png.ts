/**
 * A dependency-free PNG bar chart for the benchmark report: RGB pixels, a 5×7 bitmap font, and
 * the PNG container (zlib deflate + CRC-32 from node:zlib).
 */
import { crc32, deflateSync } from 'node:zlib';

// 5×7 glyphs, one hex digit pair per row (low 5 bits used, MSB left).
const FONT: Record<string, string> = {
  '0': '0e11131519110e', '1': '040c040404040e', '2': '0e11010204081f', '3': '1f02040201110e', '4': '02060a121f0202',
  '5': '1f101e0101110e', '6': '0608101e11110e', '7': '1f010204080808', '8': '0e11110e11110e', '9': '0e11110f010204',
  A: '0e11111f111111', B: '1e11111e11111e', C: '0e11101010110e', D: '1c12111111121c', E: '1f10101e10101f', F: '1f10101e101010',
  G: '0e11101713110f', H: '1111111f111111', I: '0e04040404040e', J: '0702020202120c', K: '11121418141211', L: '1010101010101f',
  M: '111b1515111111', N: '11111915131111', O: '0e11111111110e', P: '1e11111e101010', Q: '0e11111115120d', R: '1e11111e141211',
  S: '0f10100e01011e', T: '1f040404040404', U: '1111111111110e', V: '11111111110a04', W: '11111115151b11', X: '11110a040a1111',
  Y: '11110a04040404', Z: '1f01020408101f', '.': '00000000000c0c', '-': '0000001f000000', '/': '01010204081010',
  ':': '000c0c000c0c00', '(': '02040808080402', ')': '08040202020408', '%': '18190204081303', ' ': '00000000000000', '_': '0000000000001f',
  '×': '00110a040a1100', µ: '0000111111191e', '@': '0e11171517100e', ',': '00000000000c04', '=': '00001f001f0000',
};

export class Canvas {
  readonly px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 3).fill(255);
  }
  rect(x: number, y: number, w: number, h: number, rgb: [number, number, number]): void {
    for (let j = Math.max(0, Math.floor(y)); j < Math.min(this.h, Math.floor(y + h)); j++) {
      for (let i = Math.max(0, Math.floor(x)); i < Math.min(this.w, Math.floor(x + w)); i++) {
        const o = (j * this.w + i) * 3;
        this.px[o] = rgb[0];
        this.px[o + 1] = rgb[1];
        this.px[o + 2] = rgb[2];
      }
    }
  }
  text(x: number, y: number, s: string, scale = 2, rgb: [number, number, number] = [30, 30, 30]): void {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const g = FONT[ch] ?? '00000000000000';
      for (let row = 0; row < 7; row++) {
        const bits = parseInt(g.slice(row * 2, row * 2 + 2), 16) || 0;
        for (let col = 0; col < 5; col++) if (bits & (1 << (4 - col))) this.rect(cx + col * scale, y + row * scale, scale, scale, rgb);
      }
      cx += 6 * scale;
    }
  }
  png(): Buffer {
    const raw = Buffer.alloc((this.w * 3 + 1) * this.h);
    for (let y = 0; y < this.h; y++) {
      raw[y * (this.w * 3 + 1)] = 0; // filter: none
      Buffer.from(this.px.buffer, y * this.w * 3, this.w * 3).copy(raw, y * (this.w * 3 + 1) + 1);
    }
    const chunk = (type: string, data: Buffer): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(td) >>> 0);
      return Buffer.concat([len, td, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.w, 0);
    ihdr.writeUInt32BE(this.h, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // RGB
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

const PALETTE: [number, number, number][] = [
  [66, 133, 244],
  [219, 68, 55],
  [244, 180, 0],
  [15, 157, 88],
];

/** Horizontal grouped bars: one group per label, one bar per series. */
export function barChart(title: string, unit: string, groups: { label: string; values: (number | null)[] }[], series: string[]): Buffer {
  const rowH = 14 * series.length + 16;
  const w = 900;
  const h = 70 + groups.length * rowH + 30;
  const c = new Canvas(w, h);
  c.text(16, 14, title, 2);
  series.forEach((s, i) => {
    c.rect(16 + i * 200, 42, 12, 12, PALETTE[i % PALETTE.length] as [number, number, number]);
    c.text(34 + i * 200, 42, s, 2);
  });
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.filter((v): v is number => v !== null && Number.isFinite(v))));
  const x0 = 230;
  const span = w - x0 - 120;
  groups.forEach((g, gi) => {
    const y = 70 + gi * rowH;
    c.text(16, y + 4, g.label.slice(0, 18), 2);
    g.values.forEach((v, si) => {
      const yy = y + si * 14;
      if (v === null || !Number.isFinite(v)) {
        c.text(x0, yy, 'SKIPPED', 1, [120, 120, 120]);
        return;
      }
      const len = Math.max(1, (v / max) * span);
      c.rect(x0, yy, len, 11, PALETTE[si % PALETTE.length] as [number, number, number]);
      c.text(x0 + len + 6, yy + 2, `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ${unit}`, 1);
    });
  });
  return c.png();
}
