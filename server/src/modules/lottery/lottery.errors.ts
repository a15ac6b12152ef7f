import type { ErrorDefs } from '../../http/error-codes'

/** Error codes of lotteries (campaigns, draws, physical prizes). */
export const LOTTERY_ERRORS = {
  LOTTERY_NOT_FOUND: { status: 404, message: 'Lottery not found' },
  LOTTERY_NOT_ACTIVE: { status: 409, message: 'This lottery is not open for draws now' },
  LOTTERY_NOT_ELIGIBLE: { status: 403, message: 'You are not eligible for this lottery' },
  LOTTERY_HAS_DRAWS: { status: 409, message: 'This lottery already has draws; its prize list can no longer be replaced or deleted' },
  DRAW_LIMIT_REACHED: { status: 409, message: 'No draws left' },
  PRIZE_TYPE_UNAVAILABLE: { status: 409, message: 'This prize type cannot be paid out yet' },
  PRIZE_NOT_FOUND: { status: 404, message: 'Prize not found' },
  PRIZE_ALREADY_COLLECTED: { status: 409, message: 'This prize has already been collected' },
} as const satisfies ErrorDefs
