/**
 * Cash red-packet prizes. The red-packet issue's payout module plugs in HERE and only here:
 * a won cash prize is taken from the budget of a running red-packet campaign of the merchant that
 * funds lottery prizes (fundsLotteryPrizes) and credited to the winner's cash wallet, atomically in
 * the draw's transaction (redpackets.grantCash: conditional budget update + grant row + wallet entry,
 * once per draw). The winner withdraws it to WeChat change later (payouts); nothing external is called
 * here. No campaign with enough budget left: BUDGET_EXHAUSTED, and the whole draw rolls back.
 */
import type { DbOrTx } from '../../db/client'
import * as redpackets from '../redpackets/redpackets.service'

export function redPacketPayoutAvailable(): boolean {
  return true
}

export type RedPacketPrize = { merchantId: string; userId: string; drawId: string; lotteryId: string; amountFen: number; now: Date }

export async function payRedPacketPrize(tx: DbOrTx, prize: RedPacketPrize): Promise<void> {
  await redpackets.grantCash(tx, {
    merchantId: prize.merchantId,
    userId: prize.userId,
    amountFen: prize.amountFen,
    source: { type: 'lottery_draw', id: prize.drawId },
    reasonCode: 'lottery_prize',
    now: prize.now,
  })
}
