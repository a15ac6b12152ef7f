import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { isApiError } from '@/services/errors'
import { joinStaff } from '@/services/staff'
import { showError, showSuccess } from '@/utils/ui'
import './index.scss'

/** Redeem a staff invite (the code from the merchant; an invite link pre-fills it as ?code=). */
export default function StaffJoin() {
  const router = useRouter()
  const [code, setCode] = useState((router.params.code ?? '').toUpperCase())
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    const value = code.trim().toUpperCase()
    if (value.length < 4 || busy) return
    setBusy(true)
    try {
      const out = await joinStaff(value)
      showSuccess(out.role === 'manager' ? '已加入，身份：店长' : '已加入，身份：导购')
      setTimeout(() => void Taro.redirectTo({ url: '/staff/pages/home/index' }), 800)
    } catch (err) {
      if (isApiError(err) && err.code === 'ALREADY_STAFF') {
        void Taro.redirectTo({ url: '/staff/pages/home/index' })
        return
      }
      showError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='staff-join'>
      <View className='staff-join__head'>
        <Text className='staff-join__title'>加入门店</Text>
        <Text className='staff-join__sub'>输入商户发给你的店员邀请码，开通店员工作台</Text>
      </View>
      <View className='card'>
        <Input
          className='staff-join__input'
          value={code}
          maxlength={64}
          placeholder='请输入邀请码'
          onInput={(e) => setCode(e.detail.value.toUpperCase())}
          onConfirm={() => void submit()}
        />
        <Button className={`btn-primary staff-join__btn ${code.trim().length < 4 ? 'btn-disabled' : ''}`} loading={busy} onClick={() => void submit()}>
          加入
        </Button>
      </View>
      <Text className='weak staff-join__note'>加入后可扫码为会员积分、核销优惠券与奖品，并跟进你的客户。</Text>
    </View>
  )
}
