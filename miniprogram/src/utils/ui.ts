import Taro from '@tarojs/taro'
import { isPlatformError } from '@/platform'
import { userMessage } from '@/services/errors'

/** Shows an error in Chinese (server code → text from @siyu/shared); a user cancel stays silent. */
export function showError(err: unknown): void {
  if (isPlatformError(err) && err.code === 'CANCELLED') return
  console.warn('[siyu]', err)
  void Taro.showToast({ title: userMessage(err), icon: 'none', duration: 2500 })
}

export function showSuccess(title: string): void {
  void Taro.showToast({ title, icon: 'success', duration: 1500 })
}

export function showInfo(title: string): void {
  void Taro.showToast({ title, icon: 'none', duration: 2000 })
}

/** A yes/no question; resolves true on confirm. */
export async function confirm(title: string, content: string, confirmText = '确定'): Promise<boolean> {
  const res = await Taro.showModal({ title, content, confirmText, cancelText: '取消', confirmColor: '#07c160' })
  return !!res.confirm
}

/** The tab-bar pages (app.config.ts): they open with switchTab, never navigateTo. */
export const TAB_PAGES = ['/pages/index/index', '/pages/me/index']

/** Opens a page of the app: a tab-bar page by switching to its tab, any other on top of the stack. */
export function go(url: string): void {
  const open = TAB_PAGES.includes(url) ? Taro.switchTab({ url }) : Taro.navigateTo({ url })
  void open.catch((err: unknown) => showError(err))
}
