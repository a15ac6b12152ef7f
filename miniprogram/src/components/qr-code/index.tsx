import { useMemo } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { darkRuns, encodeQr, type EccLevel } from '@/lib/qr'
import './index.scss'

const QUIET = 2

/**
 * A QR code drawn as boxes (one per dark run of a row), positioned in percent of a square box:
 * renders the same in weapp and H5, no canvas. `size` is in design px.
 */
export function QrCode({ text, size = 360, ecc = 'M', dimmed = false }: { text: string; size?: number; ecc?: EccLevel; dimmed?: boolean }) {
  const runs = useMemo(() => {
    const qr = encodeQr(text, ecc)
    const n = qr.size + QUIET * 2
    const unit = 100 / n
    return qr.modules.flatMap((row, r) =>
      darkRuns(row).map(([c, len]) => ({
        key: `${r}-${c}`,
        // A hair taller than a module: adjacent rows overlap instead of leaving seams when scaled.
        style: {
          left: `${((c + QUIET) * unit).toFixed(3)}%`,
          top: `${((r + QUIET) * unit).toFixed(3)}%`,
          width: `${(len * unit).toFixed(3)}%`,
          height: `${(unit * 1.04).toFixed(3)}%`,
        },
      })),
    )
  }, [text, ecc])
  const box = Taro.pxTransform(size)
  return (
    <View className={`qr-code ${dimmed ? 'qr-code--dimmed' : ''}`} style={{ width: box, height: box }} data-text={text}>
      {runs.map((r) => (
        <View key={r.key} className='qr-code__run' style={r.style} />
      ))}
    </View>
  )
}
