import { useMemo } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { barRuns, encodeCode128 } from '@/lib/code128'
import './index.scss'

const QUIET = 10

/** A Code 128 barcode drawn as boxes in percent of its width (weapp and H5 alike). */
export function Barcode({ text, width = 600, height = 140, dimmed = false }: { text: string; width?: number; height?: number; dimmed?: boolean }) {
  const bars = useMemo(() => {
    const code = encodeCode128(text)
    const total = code.modules + QUIET * 2
    return barRuns(code).map(([x, w]) => ({
      key: String(x),
      style: { left: `${(((x + QUIET) / total) * 100).toFixed(3)}%`, width: `${((w / total) * 100).toFixed(3)}%` },
    }))
  }, [text])
  return (
    <View className={`barcode ${dimmed ? 'barcode--dimmed' : ''}`} style={{ width: Taro.pxTransform(width), height: Taro.pxTransform(height) }}>
      {bars.map((b) => (
        <View key={b.key} className='barcode__bar' style={b.style} />
      ))}
    </View>
  )
}
