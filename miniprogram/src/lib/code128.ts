/**
 * Code 128 barcode (ISO/IEC 15417): code set C for even-length digit strings (the member code:
 * 20 digits → 10 symbols), code set B for other printable ASCII. Pure, so it is unit-tested
 * in node and rendered the same way in weapp and H5.
 */

/** Bar/space widths (in modules) of symbol values 0-105; every symbol is 11 modules wide. */
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232',
] as const
const STOP = '2331112'
const START_B = 104
const START_C = 105

export { PATTERNS as CODE128_PATTERNS, STOP as CODE128_STOP }

export type Barcode = {
  /** Symbol values, start and check symbol included, stop excluded. */
  values: number[]
  /** Alternating bar/space widths in modules, starting with a bar. No quiet zone. */
  widths: number[]
  /** Total width in modules. */
  modules: number
}

/** Encodes `text` (digits, or printable ASCII 32-126). */
export function encodeCode128(text: string): Barcode {
  const values: number[] = []
  if (text.length > 0 && text.length % 2 === 0 && /^\d+$/.test(text)) {
    values.push(START_C)
    for (let i = 0; i < text.length; i += 2) values.push(Number(text.slice(i, i + 2)))
  } else {
    values.push(START_B)
    for (const ch of text) {
      const cp = ch.charCodeAt(0)
      if (ch.length !== 1 || cp < 32 || cp > 126) throw new RangeError(`cannot encode ${JSON.stringify(ch)} in Code 128 set B`)
      values.push(cp - 32)
    }
  }
  let sum = values[0]!
  for (let i = 1; i < values.length; i++) sum += i * values[i]!
  values.push(sum % 103)
  const widths: number[] = []
  for (const v of values) for (const w of PATTERNS[v]!) widths.push(Number(w))
  for (const w of STOP) widths.push(Number(w))
  return { values, widths, modules: widths.reduce((a, b) => a + b, 0) }
}

/** Bars as `[startModule, widthModules]`, ready to draw as boxes. */
export function barRuns(code: Barcode): Array<[number, number]> {
  const runs: Array<[number, number]> = []
  let x = 0
  code.widths.forEach((w, i) => {
    if (i % 2 === 0) runs.push([x, w])
    x += w
  })
  return runs
}
