import { Text, View } from '@tarojs/components'
import type { PublishedPrize } from '@siyu/shared'
import { GRID_RING } from '@/lib/lottery-plan'
import './index.scss'

type Props = {
  /** Up to 8 prizes, in slot order; slot i sits at ring position i (clockwise from top-left). */
  prizes: PublishedPrize[]
  /** Ring position currently lit (-1: none). */
  active: number
  disabled: boolean
  buttonText: string
  onStart: () => void
}

/** The 九宫格: 8 prize cells around the draw button; the lit cell runs round and stops on the result. */
export function LotteryGrid({ prizes, active, disabled, buttonText, onStart }: Props) {
  const cells = Array.from({ length: 9 }, (_, cell) => cell)
  return (
    <View className='lottery-grid' data-active={active}>
      {cells.map((cell) => {
        if (cell === 4) {
          return (
            <View key='go' className={`lottery-grid__go ${disabled ? 'lottery-grid__go--off' : ''}`} onClick={disabled ? undefined : onStart} data-testid='draw-button'>
              <Text>{buttonText}</Text>
            </View>
          )
        }
        const ring = GRID_RING.indexOf(cell as (typeof GRID_RING)[number])
        const prize = prizes[ring]
        return (
          <View key={cell} className={`lottery-grid__cell ${ring === active ? 'lottery-grid__cell--on' : ''}`} data-ring={ring}>
            <Text className='lottery-grid__name'>{prize?.name ?? '谢谢参与'}</Text>
          </View>
        )
      })}
    </View>
  )
}
