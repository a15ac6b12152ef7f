import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { GRID_RING, planGridRun, planWheelSpin, slotAtAngle, slotIndexOf } from '../src/lib/lottery-plan'

describe('lottery animation plans end on the server result', () => {
  it('the wheel always stops with the pointer on the drawn slot, after enough turns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ([slots, target], current, turns, offset) => {
          const plan = planWheelSpin({ slotCount: slots, targetIndex: target, currentAngle: current, minTurns: turns, offset })
          expect(slotAtAngle(plan.finalAngle, slots)).toBe(target)
          expect(plan.finalAngle).toBeGreaterThanOrEqual(current + turns * 360)
          expect(plan.finalAngle).toBeLessThan(current + (turns + 1) * 360)
        },
      ),
    )
  })

  it('lands in the middle of the slot by default and rejects slots that do not exist', () => {
    const plan = planWheelSpin({ slotCount: 8, targetIndex: 2, currentAngle: 0, minTurns: 5 })
    expect(plan.finalAngle).toBe(5 * 360 + 360 - 2.5 * 45)
    expect(() => planWheelSpin({ slotCount: 8, targetIndex: 8, currentAngle: 0 })).toThrow(RangeError)
    expect(() => planWheelSpin({ slotCount: 1, targetIndex: 0, currentAngle: 0 })).toThrow(RangeError)
  })

  it('a grid run visits the ring in order, does whole laps, ends on the target and slows down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 5 }), (start, target, laps) => {
        const steps = planGridRun({ startRingIndex: start, targetRingIndex: target, minLaps: laps })
        expect(steps.at(-1)!.ringIndex).toBe(target)
        expect(steps.length).toBeGreaterThan(laps * GRID_RING.length)
        steps.forEach((s, i) => expect(s.ringIndex).toBe((start + i + 1) % 8))
        const tail = steps.slice(-5).map((s) => s.delayMs)
        expect([...tail].sort((a, b) => a - b)).toEqual(tail)
        expect(tail.at(-1)).toBeGreaterThan(steps[Math.floor(steps.length / 2)]!.delayMs)
      }),
    )
  })

  it('maps a prize to its slot by position', () => {
    const prizes = [
      { id: 'c', position: 2 },
      { id: 'a', position: 0 },
      { id: 'b', position: 1 },
    ]
    expect(slotIndexOf(prizes, 'c')).toBe(2)
    expect(slotIndexOf(prizes, 'a')).toBe(0)
    expect(slotIndexOf(prizes, 'zz')).toBe(-1)
  })
})
