/**
 * The random draw and the published odds, as pure functions.
 *
 * The draw picks a slot by the configured weights alone; stock is settled afterwards by the
 * conditional stock update. So a slot whose prize is out of stock (or runs out at that very moment)
 * yields "no prize": its probability mass goes to the "none" outcome and never to another prize —
 * exactly what the published odds state.
 */
import { randomInt } from 'node:crypto'

/** A uniform integer in [0, maxExclusive). */
export type RandomInt = (maxExclusive: number) => number

/** Production randomness: node:crypto's CSPRNG (unbiased, rejection-sampled). */
export const cryptoRandomInt: RandomInt = (n) => randomInt(0, n)

export type Pick = { index: number; value: number; total: number }

/** Picks slot i with probability weights[i] / sum(weights); `value` is the random number drawn, kept for audit. */
export function pickPrize(weights: readonly number[], rand: RandomInt = cryptoRandomInt): Pick {
  let total = 0
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`invalid weight ${w}`)
    total += w
  }
  if (total <= 0) throw new RangeError('the weights sum to 0')
  const value = rand(total)
  return { index: slotOf(weights, value), value, total }
}

/** The slot a random value in [0, total) falls into (a draw is replayable from its record). */
export function slotOf(weights: readonly number[], value: number): number {
  let acc = 0
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!
    if (value < acc) return i
  }
  throw new RangeError(`value ${value} is outside the total weight ${acc}`)
}

export type OddsSlot = { name: string; type: string; weight: number; stock: number | null }

/**
 * Current probability of each slot: w / total for prizes in stock, 0 for prizes out of stock, and
 * the "none" slot gets its own weight plus the weight of every out-of-stock prize.
 */
export function publishedOdds(slots: readonly OddsSlot[]): number[] {
  const total = slots.reduce((s, p) => s + p.weight, 0)
  if (total <= 0) return slots.map(() => 0)
  const noneIdx = slots.findIndex((p) => p.type === 'none')
  const probs = slots.map((p) => (p.type !== 'none' && p.stock !== null && p.stock <= 0 ? 0 : p.weight / total))
  if (noneIdx >= 0) {
    const moved = slots.reduce((s, p, i) => s + (p.type !== 'none' && probs[i] === 0 ? p.weight : 0), 0)
    probs[noneIdx] = (slots[noneIdx]!.weight + moved) / total
  }
  return probs
}

/** 0.0123 -> "1.23%"; tiny chances keep two significant digits ("0.0050%"). */
export function percentText(p: number): string {
  if (p === 0) return '0%'
  const pct = p * 100
  if (pct >= 0.01) return `${pct.toFixed(2)}%`
  return `${pct.toPrecision(2)}%`
}

/** The odds as a sentence for the campaign page (Chinese: consumer lotteries must publish odds). */
export function oddsSentence(slots: readonly OddsSlot[]): string {
  const probs = publishedOdds(slots)
  const parts = slots.map((s, i) => `${s.name} ${percentText(probs[i]!)}`)
  const out = slots.filter((s) => s.type !== 'none' && s.stock !== null && s.stock <= 0).map((s) => s.name)
  const none = slots.find((s) => s.type === 'none')?.name ?? '谢谢参与'
  let text = `每次抽奖的概率：${parts.join('；')}。奖品抽完后，其概率计入“${none}”，不会转给其他奖品。`
  if (out.length) text += `已抽完：${out.join('、')}。`
  return text + '结果由服务器加密随机数产生。'
}
