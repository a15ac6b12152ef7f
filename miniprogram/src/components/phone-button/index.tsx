import { useState } from 'react'
import { Button } from '@tarojs/components'
import type { UserProfile } from '@siyu/shared'
import { getPhoneCode, type PhoneNumberDetail } from '@/platform'
import { bindPhone } from '@/services/me'
import { showError, showSuccess } from '@/utils/ui'

/**
 * The phone-binding button. weapp: `open-type="getPhoneNumber"` (WeChat shows its own consent
 * sheet and hands us a one-time code); H5: a plain button whose tap asks the WeChat sandbox.
 */
export function PhoneButton({ className = 'btn-primary', text = '绑定手机号', onBound }: { className?: string; text?: string; onBound?: (me: UserProfile) => void }) {
  const [busy, setBusy] = useState(false)

  const bind = async (detail?: PhoneNumberDetail) => {
    if (busy) return
    setBusy(true)
    try {
      const code = await getPhoneCode(detail)
      const me = await bindPhone(code)
      showSuccess('绑定成功')
      onBound?.(me)
    } catch (err) {
      showError(err)
    } finally {
      setBusy(false)
    }
  }

  if (process.env.TARO_ENV === 'weapp') {
    return (
      <Button className={className} openType='getPhoneNumber' loading={busy} onGetPhoneNumber={(e) => void bind(e.detail as PhoneNumberDetail)}>
        {text}
      </Button>
    )
  }
  return (
    <Button className={className} loading={busy} onClick={() => void bind()} data-testid='bind-phone'>
      {text}
    </Button>
  )
}
