/**
 * Animation plans for the lottery. The outcome always comes from the server
 * (POST /api/v1/lotteries/:id/draws); these functions only decide how to move there: where the
 * wheel must stop so the pointer sits on the drawn slot, and which cells a grid run lights up.
 */

export type WheelPlan = {
  /** Absolute rotation to animate to, in degrees (clockwise), always > the current rotation. */
  finalAngle: number
  durationMs: number
}

const norm = (deg: number) => ((deg % 360) + 360) % 360

/**
 * The slot under the pointer (fixed at 12 o'clock) when the wheel is rotated `angle` degrees
 * clockwise. Slot i spans [i·seg, (i+1)·seg) clockwise from 12 o'clock at rotation 0.
 */
export function slotAtAngle(angle: number, slotCount: number): number {
  const seg = 360 / slotCount
  return Math.floor(norm(360 - norm(angle)) / seg) % slotCount
}

/**
 * Rotation that ends with the pointer on `targetIndex`: at least `minTurns` full turns past
 * `currentAngle`, landing inside the slot at `offset` (0..1 of its width, 0.5 = centre; kept
 * away from the edges so the result is never ambiguous to the eye).
 */
export function planWheelSpin(input: {
  slotCount: number
  targetIndex: number
  currentAngle: number
  minTurns?: number
  offset?: number
  durationMs?: number
}): WheelPlan {
  const { slotCount, targetIndex, currentAngle } = input
  if (!Number.isInteger(slotCount) || slotCount < 2) throw new RangeError('a wheel needs at least 2 slots')
  if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= slotCount) throw new RangeError(`no slot ${targetIndex}`)
  const seg = 360 / slotCount
  const offset = Math.min(0.8, Math.max(0.2, input.offset ?? 0.5))
  // Rotation (mod 360) that puts the point at (targetIndex + offset)·seg under the pointer.
  const landing = norm(360 - (targetIndex + offset) * seg)
  const minimum = currentAngle + (input.minTurns ?? 5) * 360
  let finalAngle = minimum - norm(minimum) + landing
  if (finalAngle < minimum) finalAngle += 360
  return { finalAngle, durationMs: input.durationMs ?? 4500 }
}

/** Clockwise order of the 8 outer cells of a 3×3 grid (cell index = row·3 + col; 4 is the button). */
export const GRID_RING = [0, 1, 2, 5, 8, 7, 6, 3] as const

export type GridStep = { ringIndex: number; delayMs: number }

/**
 * A "marquee" run around the ring: from the cell after `startRingIndex`, at least `minLaps` laps,
 * ending on `targetRingIndex`. Delays ease in and out (fast in the middle, slowing at the end).
 */
export function planGridRun(input: {
  ringSize?: number
  startRingIndex: number
  targetRingIndex: number
  minLaps?: number
  fastMs?: number
  slowMs?: number
}): GridStep[] {
  const ring = input.ringSize ?? GRID_RING.length
  const { startRingIndex, targetRingIndex } = input
  if (targetRingIndex < 0 || targetRingIndex >= ring || !Number.isInteger(targetRingIndex)) throw new RangeError(`no cell ${targetRingIndex}`)
  const fast = input.fastMs ?? 50
  const slow = input.slowMs ?? 320
  const distance = (targetRingIndex - startRingIndex + ring) % ring
  const total = (input.minLaps ?? 3) * ring + (distance === 0 ? ring : distance)
  const steps: GridStep[] = []
  for (let i = 1; i <= total; i++) {
    const p = i / total
    // Slow start over the first 15%, fast cruise, quadratic slow-down over the last 35%.
    const ease = p < 0.15 ? (0.15 - p) / 0.15 : p > 0.65 ? ((p - 0.65) / 0.35) ** 2 : 0
    steps.push({ ringIndex: (startRingIndex + i) % ring, delayMs: Math.round(fast + (slow - fast) * ease) })
  }
  return steps
}

/** Slot index of each prize, by the server's `position` (the order slots are drawn on screen). */
export function slotIndexOf<T extends { id: string; position: number }>(prizes: readonly T[], prizeId: string): number {
  const sorted = [...prizes].sort((a, b) => a.position - b.position)
  return sorted.findIndex((p) => p.id === prizeId)
}
