import { Button, Text, View } from '@tarojs/components'
import './index.scss'

export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className='page-state'>
      <View className='page-state__spinner' />
      <Text className='muted'>{text}</Text>
    </View>
  )
}

export function ErrorBlock({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <View className='page-state page-state--error'>
      <Text className='error-text page-state__message'>{message}</Text>
      {onRetry && (
        <Button className='btn-plain page-state__retry' onClick={onRetry}>
          重试
        </Button>
      )}
    </View>
  )
}

export function Empty({ text }: { text: string }) {
  return (
    <View className='page-state page-state--empty'>
      <View className='page-state__empty-icon' />
      <Text className='weak'>{text}</Text>
    </View>
  )
}
