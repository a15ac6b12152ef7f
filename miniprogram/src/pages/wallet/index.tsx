import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import { useReachBottom } from '@tarojs/taro'
import type { WalletLedgerItem, WalletSummary, Withdrawal } from '@siyu/shared'
import { Empty, ErrorBlock, Loading } from '@/components/page-state'
import { appendPage, moreText, useLoadMore, type PagedList } from '@/hooks/use-load-more'
import { useLoader, usePullDownReload } from '@/hooks/use-loader'
import { dateTime, yuan } from '@/lib/format'
import { canWithdraw, checkWithdrawAmount, isWithdrawalOpen, maxWithdrawable, WALLET_REASONS, WITHDRAWAL_STATUS_TEXT } from '@/lib/redpacket'
import { cancelWithdrawal, confirmWithdrawal, createWithdrawal, getWallet, getWalletLedger, listWithdrawals } from '@/services/wallet'
import { confirm, showError, showInfo, showSuccess } from '@/utils/ui'
import './index.scss'

type Data = {
  wallet: WalletSummary
  ledger: PagedList<WalletLedgerItem>
  withdrawals: PagedList<Withdrawal>
}

function signedYuan(fen: number): string {
  return fen > 0 ? `+${yuan(fen)}` : yuan(fen)
}

/** 我的零钱: balance, withdrawal to WeChat change (merchant transfer, user confirms), ledger and withdrawals. */
export default function WalletPage() {
  const { state, update, reload } = useLoader<Data>(async () => {
    const [wallet, ledger, withdrawals] = await Promise.all([getWallet(), getWalletLedger(null), listWithdrawals(null)])
    return { wallet, ledger: { items: ledger.items, nextCursor: ledger.nextCursor }, withdrawals: { items: withdrawals.items, nextCursor: withdrawals.nextCursor } }
  })
  const [tab, setTab] = useState<'ledger' | 'withdrawals'>('ledger')
  const [amount, setAmount] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const { more, loadMore } = useLoadMore()
  usePullDownReload(reload)

  const next = () =>
    loadMore(state.status === 'ready' ? state.data[tab].nextCursor : null, async (cursor) => {
      if (tab === 'ledger') {
        const page = await getWalletLedger(cursor)
        update((d) => ({ ...d, ledger: appendPage(d.ledger, page) }))
      } else {
        const page = await listWithdrawals(cursor)
        update((d) => ({ ...d, withdrawals: appendPage(d.withdrawals, page) }))
      }
    }).catch(() => undefined)
  useReachBottom(() => void next())

  if (state.status === 'loading') return <Loading />
  if (state.status === 'error') return <ErrorBlock message={state.message} onRetry={() => void reload().catch(() => undefined)} />
  const { wallet } = state.data
  const ledger = state.data.ledger.items
  const withdrawals = state.data.withdrawals.items
  const max = maxWithdrawable(wallet)
  const typed = amount ?? (max > 0 ? yuan(max) : '')
  const pending = withdrawals.filter((w) => w.status === 'wait_user_confirm' && w.confirm)

  /** Confirm receipt on WeChat's page, then say what the server knows. */
  const settle = async (w: Withdrawal) => {
    const done = await confirmWithdrawal(w)
    if (done.status === 'success') showSuccess('提现成功')
    else if (done.status === 'wait_user_confirm') showInfo('尚未确认收款，可稍后在提现记录中继续')
    else if (isWithdrawalOpen(done.status)) showInfo('提现处理中，请稍后查看')
    else showInfo(WITHDRAWAL_STATUS_TEXT[done.status])
  }

  const withdraw = async () => {
    if (busy) return
    const checked = checkWithdrawAmount(typed, wallet)
    if (!checked.ok) {
      showInfo(checked.error)
      return
    }
    setBusy('new')
    try {
      const w = await createWithdrawal(checked.fen)
      setAmount(null)
      if (w.confirm) await settle(w)
      else showInfo('提现处理中，请稍后查看')
    } catch (err) {
      showError(err)
    } finally {
      setBusy(null)
      reload().catch(() => undefined)
    }
  }

  const resume = async (w: Withdrawal) => {
    if (busy) return
    setBusy(w.id)
    try {
      await settle(w)
    } catch (err) {
      showError(err)
    } finally {
      setBusy(null)
      reload().catch(() => undefined)
    }
  }

  const cancel = async (w: Withdrawal) => {
    if (busy || !(await confirm('取消提现', `取消后 ${yuan(w.amountFen)} 元将退回零钱。`, '确认取消'))) return
    setBusy(w.id)
    try {
      await cancelWithdrawal(w.id)
      showSuccess('已取消')
    } catch (err) {
      showError(err)
    } finally {
      setBusy(null)
      reload().catch(() => undefined)
    }
  }

  const list = state.data[tab]

  return (
    <View className='wallet'>
      <View className='wallet__hero'>
        <Text className='wallet__label'>零钱余额（元）</Text>
        <Text className='wallet__balance num' data-testid='wallet-balance'>
          {yuan(wallet.balanceFen)}
        </Text>
        <Text className='wallet__hint'>抢到的红包存入这里，可提现到微信零钱</Text>
      </View>

      <View className='card wallet__withdraw'>
        <Text className='card-title'>提现到微信零钱</Text>
        <View className='wallet__amount-row'>
          <Text className='wallet__yen'>¥</Text>
          <Input
            className='wallet__input num fill-input'
            type='digit'
            value={typed}
            placeholder='0.00'
            disabled={!canWithdraw(wallet)}
            onInput={(e) => setAmount(e.detail.value)}
            data-testid='withdraw-amount'
          />
          {max > 0 && (
            <Text className='wallet__all' onClick={() => setAmount(yuan(max))}>
              全部
            </Text>
          )}
        </View>
        <Text className='weak'>
          单笔 {yuan(wallet.minWithdrawalFen)} – {yuan(wallet.maxWithdrawalFen)} 元，需在微信中确认收款
        </Text>
        <Button
          className={`wallet__btn ${canWithdraw(wallet) ? '' : 'btn-disabled'}`}
          loading={busy === 'new'}
          onClick={() => void (canWithdraw(wallet) ? withdraw() : showInfo(`满 ${yuan(wallet.minWithdrawalFen)} 元可提现`))}
          data-testid='withdraw-submit'
        >
          提现
        </Button>
      </View>

      {pending.map((w) => (
        <View key={w.id} className='card wallet__pending' data-testid='withdrawal-pending'>
          <View className='wallet__pending-main'>
            <Text className='wallet__pending-title'>{yuan(w.amountFen)} 元待确认收款</Text>
            <Text className='weak'>{dateTime(w.createdAt)} 发起，24 小时内未确认将退回零钱</Text>
          </View>
          <View className='wallet__pending-actions'>
            <Button className='wallet__mini wallet__mini--primary' loading={busy === w.id} onClick={() => void resume(w)}>
              确认收款
            </Button>
            <Text className='wallet__cancel' onClick={() => void cancel(w)}>
              取消
            </Text>
          </View>
        </View>
      ))}

      <View className='card wallet__lists'>
        <View className='wallet__tabs'>
          <Text className={`wallet__tab ${tab === 'ledger' ? 'wallet__tab--on' : ''}`} onClick={() => setTab('ledger')}>
            收支明细
          </Text>
          <Text className={`wallet__tab ${tab === 'withdrawals' ? 'wallet__tab--on' : ''}`} onClick={() => setTab('withdrawals')}>
            提现记录
          </Text>
        </View>

        {tab === 'ledger' && ledger.length === 0 && <Empty text='还没有零钱记录，去抢个红包吧' />}
        {tab === 'ledger' &&
          ledger.map((it) => (
            <View key={it.id} className='list-row wallet__item' data-reason={it.reasonCode} data-testid='wallet-entry'>
              <View className='wallet__item-main'>
                <Text>{WALLET_REASONS[it.reasonCode] ?? it.reasonCode}</Text>
                <Text className='weak'>{dateTime(it.createdAt)}</Text>
              </View>
              <View className='wallet__item-side'>
                <Text className={`num wallet__item-amount ${it.amountFen >= 0 ? 'wallet__item-amount--in' : ''}`}>{signedYuan(it.amountFen)}</Text>
                <Text className='weak'>余额 {yuan(it.balanceAfterFen)}</Text>
              </View>
            </View>
          ))}

        {tab === 'withdrawals' && withdrawals.length === 0 && <Empty text='还没有提现记录' />}
        {tab === 'withdrawals' &&
          withdrawals.map((w) => (
            <View key={w.id} className='list-row wallet__item' data-status={w.status} data-testid='withdrawal-row'>
              <View className='wallet__item-main'>
                <Text>提现 {yuan(w.amountFen)} 元</Text>
                <Text className='weak'>{dateTime(w.createdAt)}</Text>
              </View>
              <Text className={`wallet__status wallet__status--${w.status}`}>{WITHDRAWAL_STATUS_TEXT[w.status]}</Text>
            </View>
          ))}

        {list.items.length > 0 && (
          <View className='wallet__more' onClick={() => void next()}>
            <Text className='weak'>{moreText(more, list.nextCursor)}</Text>
          </View>
        )}
      </View>
    </View>
  )
}
