import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import { scanCode } from '@/platform'
import { redeemCoupon, redeemPrize } from '@/services/staff'
import { showError, showSuccess } from '@/utils/ui'

/** 核销: a coupon code or a physical prize's redeem code, scanned or typed. */
export function RedeemCode({ storeId }: { storeId: string }) {
  const [kind, setKind] = useState<'coupon' | 'prize'>('coupon')
  const [code, setCode] = useState('')
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)

  const submit = async (value = code) => {
    const c = value.trim().toUpperCase()
    if (c.length < 6 || busy) return
    setBusy(true)
    try {
      if (kind === 'coupon') {
        const r = await redeemCoupon(c, storeId)
        setDone(`已核销优惠券「${r.name}」`)
      } else {
        const r = await redeemPrize(c)
        setDone(`已发放奖品「${r.prizeName}」`)
      }
      showSuccess('核销成功')
      setCode('')
    } catch (err) {
      showError(err)
    } finally {
      setBusy(false)
    }
  }

  const scan = async () => {
    try {
      const { result } = await scanCode()
      setCode(result)
      await submit(result)
    } catch (err) {
      showError(err)
    }
  }

  return (
    <View className='card staff-redeem'>
      <View className='card-title'>
        <Text>核销</Text>
        <View className='staff-redeem__kinds'>
          <Text className={`staff-redeem__kind ${kind === 'coupon' ? 'staff-redeem__kind--on' : ''}`} onClick={() => setKind('coupon')}>
            优惠券
          </Text>
          <Text className={`staff-redeem__kind ${kind === 'prize' ? 'staff-redeem__kind--on' : ''}`} onClick={() => setKind('prize')}>
            奖品
          </Text>
        </View>
      </View>
      <View className='staff-redeem__row'>
        <Input className='staff-redeem__input fill-input' value={code} placeholder={kind === 'coupon' ? '输入券码' : '输入兑奖码'} onInput={(e) => setCode(e.detail.value)} />
        <Button className='btn-plain staff-redeem__scan' onClick={() => void scan()}>
          扫码
        </Button>
        <Button className='btn-primary staff-redeem__go' loading={busy} onClick={() => void submit()}>
          核销
        </Button>
      </View>
      {done && <Text className='staff-redeem__done'>{done}</Text>}
    </View>
  )
}
