import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import type { StaffMemberSummary, StaffPurchaseResult } from '@siyu/shared'
import { FUNNEL_STAGE_LABELS } from '@siyu/shared/src/funnel'
import { formatPoints, idempotencyKey, parseYuan, yuan } from '@/lib/format'
import { isApiError } from '@/services/errors'
import { recordPurchase, redeemPoints } from '@/services/staff'
import { showError, showInfo, showSuccess } from '@/utils/ui'
import './member-panel.scss'

type Props = {
  member: StaffMemberSummary
  memberCode: string
  storeId: string
  /** The member's new balance after an action (the panel shows it at once). */
  onChanged: (balance: number) => void
  /** The code expired: ask the member to refresh and scan again. */
  onRescan: () => void
}

/** A receipt number for a purchase typed at the counter: unique enough, editable. */
function newReceiptNo(): string {
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `R${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${Math.floor(Math.random() * 90 + 10)}`
}

/** The scanned member: who they are, and the two counter actions (award for a purchase, redeem points). */
export function MemberPanel({ member, memberCode, storeId, onChanged, onRescan }: Props) {
  const [tab, setTab] = useState<'purchase' | 'redeem'>('purchase')
  const [amount, setAmount] = useState('')
  const [receiptNo, setReceiptNo] = useState(newReceiptNo)
  const [points, setPoints] = useState('')
  const [reason, setReason] = useState('积分兑换')
  // One key per redemption form: a retried or double-tapped submit cannot spend twice.
  const [redeemKey, setRedeemKey] = useState(() => idempotencyKey('redeem'))
  const [busy, setBusy] = useState(false)
  const [last, setLast] = useState<StaffPurchaseResult | null>(null)

  const fail = (err: unknown) => {
    if (isApiError(err) && err.code === 'MEMBER_CODE_INVALID') {
      showInfo('会员码已过期，请会员刷新后重新扫码')
      onRescan()
      return
    }
    showError(err)
  }

  const submitPurchase = async () => {
    const amountFen = parseYuan(amount)
    if (!amountFen) return showInfo('请输入正确的消费金额')
    if (busy) return
    setBusy(true)
    try {
      const r = await recordPurchase({ memberCode, amountFen, receiptNo: receiptNo.trim(), storeId })
      setLast(r)
      onChanged(r.balance)
      showSuccess(r.replayed ? '该小票已登记' : `已积 ${r.points} 分`)
      setAmount('')
      setReceiptNo(newReceiptNo())
    } catch (err) {
      fail(err)
    } finally {
      setBusy(false)
    }
  }

  const submitRedeem = async () => {
    const n = Number(points)
    if (!Number.isInteger(n) || n <= 0) return showInfo('请输入要兑换的积分')
    if (busy) return
    setBusy(true)
    try {
      const r = await redeemPoints({ memberCode, points: n, reason: reason.trim() || '积分兑换', idempotencyKey: redeemKey })
      onChanged(r.balance)
      showSuccess(`已兑换 ${r.points} 积分`)
      setPoints('')
      setRedeemKey(idempotencyKey('redeem'))
    } catch (err) {
      fail(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='member-panel card' data-testid='member-panel'>
      <View className='member-panel__who'>
        <View className='member-panel__avatar'>{(member.nameMasked || '会').slice(0, 1)}</View>
        <View className='member-panel__info'>
          <Text className='member-panel__name'>{member.nameMasked || '微信用户'}</Text>
          <Text className='weak'>
            {member.phoneMasked || '未绑定手机'} · 卡号 {member.cardNo}
          </Text>
        </View>
        <View className='member-panel__balance'>
          <Text className='num member-panel__points' data-testid='member-points'>
            {formatPoints(member.points.balance)}
          </Text>
          <Text className='weak'>积分</Text>
        </View>
      </View>
      <View className='member-panel__tags'>
        <Text className='tag'>{member.tier.name}</Text>
        <Text className='tag tag-green' data-stage={member.stage}>
          {FUNNEL_STAGE_LABELS[member.stage]}
        </Text>
        {member.guide && <Text className='tag tag-grey'>{member.guide.isMe ? '我的客户' : '其他导购的客户'}</Text>}
      </View>

      <View className='member-panel__tabs'>
        <Text className={`member-panel__tab ${tab === 'purchase' ? 'member-panel__tab--on' : ''}`} onClick={() => setTab('purchase')}>
          消费积分
        </Text>
        <Text className={`member-panel__tab ${tab === 'redeem' ? 'member-panel__tab--on' : ''}`} onClick={() => setTab('redeem')}>
          积分兑换
        </Text>
      </View>

      {tab === 'purchase' ? (
        <View className='member-panel__form'>
          <View className='member-panel__field'>
            <Text className='member-panel__label'>消费金额</Text>
            <Input className='member-panel__input fill-input purchase-amount' type='digit' value={amount} placeholder='0.00 元' onInput={(e) => setAmount(e.detail.value)} />
          </View>
          <View className='member-panel__field'>
            <Text className='member-panel__label'>小票号</Text>
            <Input className='member-panel__input fill-input purchase-receipt' value={receiptNo} onInput={(e) => setReceiptNo(e.detail.value)} />
          </View>
          <Button className='btn-primary' loading={busy} onClick={() => void submitPurchase()} data-testid='record-purchase'>
            登记消费并积分
          </Button>
          {last && (
            <View className='member-panel__result' data-testid='purchase-result'>
              <Text>
                消费 ¥{yuan(last.amountFen)}，积 {last.points} 分，成长值 +{last.growth}
              </Text>
              {last.upgraded && <Text className='member-panel__upgrade'>会员升级为 {last.tier.name}</Text>}
            </View>
          )}
        </View>
      ) : (
        <View className='member-panel__form'>
          <View className='member-panel__field'>
            <Text className='member-panel__label'>兑换积分</Text>
            <Input className='member-panel__input fill-input redeem-points' type='number' value={points} placeholder='积分数' onInput={(e) => setPoints(e.detail.value)} />
          </View>
          <View className='member-panel__field'>
            <Text className='member-panel__label'>兑换内容</Text>
            <Input className='member-panel__input fill-input redeem-reason' value={reason} maxlength={200} onInput={(e) => setReason(e.detail.value)} />
          </View>
          <Button className='btn-gold' loading={busy} onClick={() => void submitRedeem()}>
            确认兑换
          </Button>
        </View>
      )}
    </View>
  )
}
