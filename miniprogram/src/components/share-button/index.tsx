import { Button } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { track } from '@/services/events'
import { showError, showInfo } from '@/utils/ui'

/** The H5 link for a mini-program path (hash router); the page's own query (test openid …) stays out. */
export function h5Link(path: string): string {
  if (process.env.TARO_ENV !== 'h5') return path
  return `${window.location.origin}${window.location.pathname}#${path.startsWith('/') ? path : `/${path}`}`
}

/**
 * "分享给好友". weapp: `open-type="share"`, so WeChat calls the page's onShareAppMessage (useMemberShare
 * builds the path and records the share). H5 has no share sheet: the tap copies the same link.
 */
export function ShareButton({ className, text = '分享给好友', path, testId }: { className?: string; text?: string; path: string; testId?: string }) {
  if (process.env.TARO_ENV === 'weapp') {
    return (
      <Button className={className} openType='share' data-testid={testId}>
        {text}
      </Button>
    )
  }
  const copy = async () => {
    try {
      await Taro.setClipboardData({ data: h5Link(path) })
      track({ type: 'share', props: { path: path.split('?')[0] } })
      showInfo('链接已复制，发给好友吧')
    } catch (err) {
      showError(err)
    }
  }
  return (
    <Button className={className} onClick={() => void copy()} data-testid={testId} data-share-path={path}>
      {text}
    </Button>
  )
}
