import { useEffect, useRef } from 'react'
import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { PublishedPrize } from '@siyu/shared'
import './index.scss'

const COLORS = ['#fff4e0', '#ffd9a8']

type Props = {
  prizes: PublishedPrize[]
  /** Absolute rotation in degrees (clockwise); changing it animates the spin. */
  rotation: number
  durationMs: number
  spinning: boolean
  disabled: boolean
  buttonText: string
  onStart: () => void
  /** The spin came to rest. */
  onStop: () => void
}

/** The wheel: slots in prize order clockwise from 12 o'clock, a fixed pointer, a centre button. */
export function LotteryWheel({ prizes, rotation, durationMs, spinning, disabled, buttonText, onStart, onStop }: Props) {
  const n = prizes.length
  const seg = 360 / n
  const stops = prizes.map((_, i) => `${COLORS[i % 2]} ${(i * seg).toFixed(3)}deg ${((i + 1) * seg).toFixed(3)}deg`).join(',')
  // transitionend is the signal; the timer covers platforms where it does not arrive.
  const fallback = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEffect(() => {
    if (!spinning) return
    fallback.current = setTimeout(onStop, durationMs + 400)
    return () => {
      if (fallback.current) clearTimeout(fallback.current)
    }
  }, [spinning, rotation, durationMs, onStop])

  return (
    <View className='lottery-wheel' data-slots={n}>
      <View className='lottery-wheel__rim'>
        <View
          className='lottery-wheel__disc'
          data-rotation={rotation}
          style={{
            background: `conic-gradient(${stops})`,
            transform: `rotate(${rotation}deg)`,
            transition: spinning ? `transform ${durationMs}ms cubic-bezier(0.16, 0.72, 0.12, 1)` : 'none',
          }}
          onTransitionEnd={() => {
            if (spinning) onStop()
          }}
        >
          {prizes.map((p, i) => (
            <View key={p.id} className='lottery-wheel__slot' style={{ transform: `rotate(${(i + 0.5) * seg}deg)` }}>
              <Text className='lottery-wheel__name' style={{ width: Taro.pxTransform(Math.min(200, Math.max(90, 900 / n))) }}>
                {p.name}
              </Text>
            </View>
          ))}
        </View>
      </View>
      <View className='lottery-wheel__pointer' />
      <View className={`lottery-wheel__button ${disabled ? 'lottery-wheel__button--off' : ''}`} onClick={disabled ? undefined : onStart} data-testid='draw-button'>
        <Text>{buttonText}</Text>
      </View>
    </View>
  )
}
