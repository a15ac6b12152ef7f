import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { isPlatformError, scanCode } from '@/platform'
import { userMessage } from '@/services/errors'
import './index.scss'

/** 店员工作台（占位）：扫会员码等功能在后续阶段接入。 */
export default function StaffHome() {
  const [scanned, setScanned] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  const onScan = async () => {
    setError(null)
    try {
      const { result } = await scanCode({ onlyFromCamera: true })
      setScanned(result)
    } catch (err) {
      if (isPlatformError(err) && err.code === 'CANCELLED') return
      setError(userMessage(err))
    }
  }

  return (
    <View className='staff-home'>
      <View className='card'>
        <Text className='staff-home__title'>店员工作台</Text>
        <Text className='muted staff-home__hint'>扫描会员码，为会员积分、核销与跟进（即将上线）。</Text>
        <Button className='staff-home__scan' type='primary' onClick={() => void onScan()}>
          扫一扫
        </Button>
        {scanned !== null && <Text className='staff-home__result'>扫码结果：{scanned}</Text>}
        {error && <Text className='error-text staff-home__result'>{error}</Text>}
      </View>
    </View>
  )
}
