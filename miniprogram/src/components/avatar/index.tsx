import { Image, Text, View } from '@tarojs/components'
import './index.scss'

/** A round avatar: the picture when there is one, else the first character of the name on a tint. */
export function Avatar({ url, name, size = 'md' }: { url?: string | null; name?: string | null; size?: 'sm' | 'md' | 'lg' }) {
  const label = (name || '微').slice(0, 1)
  return (
    <View className={`avatar avatar--${size}`}>
      {url ? <Image className='avatar__img' src={url} mode='aspectFill' /> : <Text>{label}</Text>}
    </View>
  )
}
