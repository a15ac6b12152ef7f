import { useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import { useDidHide, useDidShow } from '@tarojs/taro'
import { createCodeRefresher, type CodeRefresher, type CodeRefresherState } from '@/lib/code-refresh'
import { groupDigits } from '@/lib/format'
import { getMemberCode } from '@/services/membership'
import { userMessage } from '@/services/errors'
import { Barcode } from '../barcode'
import { QrCode } from '../qr-code'
import './index.scss'

const realTimers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

/**
 * The rotating member code as QR code and barcode. Refreshes itself before it expires while the
 * page is on screen (stops when hidden, so no request runs in the background); tap to refresh.
 */
export function MemberCodePanel() {
  const [state, setState] = useState<CodeRefresherState>({ status: 'idle' })
  const refresher = useRef<CodeRefresher | null>(null)

  useEffect(() => {
    const r = createCodeRefresher({ fetch: getMemberCode, onChange: setState, timers: realTimers })
    refresher.current = r
    r.start()
    return () => r.stop()
  }, [])
  useDidShow(() => refresher.current?.start())
  useDidHide(() => refresher.current?.stop())

  const refresh = () => void refresher.current?.refreshNow()
  const code = state.status === 'ready' ? state.code.code : null
  const expired = state.status === 'expired'

  return (
    <View className='member-code card' onClick={refresh}>
      <View className='card-title'>
        <Text>会员码</Text>
        <Text className='weak'>向店员出示，消费积分</Text>
      </View>
      <View className='member-code__body'>
        {code ? (
          <>
            <Barcode text={code} dimmed={expired} />
            <Text className='member-code__digits num' data-code={code}>
              {groupDigits(code)}
            </Text>
            <QrCode text={code} size={340} dimmed={expired} />
          </>
        ) : (
          <View className='member-code__placeholder'>
            <Text className='muted'>{expired ? userMessage(state.lastError) : '正在生成会员码…'}</Text>
          </View>
        )}
        {expired && (
          <View className='member-code__expired'>
            <Text>会员码已过期</Text>
            <Text className='member-code__expired-action'>点击刷新</Text>
          </View>
        )}
      </View>
      <Text className='weak member-code__hint'>每分钟自动更新，截图无效 · 点击可手动刷新</Text>
    </View>
  )
}
