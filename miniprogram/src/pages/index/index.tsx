import { useCallback, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useLoad, usePullDownRefresh } from '@tarojs/taro'
import type { UserProfile } from '@siyu/shared'
import { FUNNEL_STAGE_LABELS } from '@siyu/shared/src/funnel'
import { userMessage } from '@/services/errors'
import { getMe } from '@/services/me'
import './index.scss'

type ViewState =
  | { status: 'loading' }
  | { status: 'ready'; me: UserProfile }
  | { status: 'error'; message: string }

/** 会员首页（占位）：登录并展示昵称与漏斗阶段。 */
export default function Index() {
  const [state, setState] = useState<ViewState>({ status: 'loading' })

  // getMe() logs in first when there is no session (request.ts), and again once on a 401.
  const load = useCallback(async () => {
    setState({ status: 'loading' })
    try {
      setState({ status: 'ready', me: await getMe() })
    } catch (err) {
      console.warn('[siyu] load /me failed', err)
      setState({ status: 'error', message: userMessage(err) })
    } finally {
      Taro.stopPullDownRefresh()
    }
  }, [])

  useLoad(() => {
    void load()
  })
  usePullDownRefresh(() => {
    void load()
  })

  return (
    <View className='member-home'>
      {state.status === 'loading' && (
        <View className='card'>
          <Text className='muted'>正在登录…</Text>
        </View>
      )}

      {state.status === 'error' && (
        <View className='card'>
          <Text className='error-text member-home__error'>{state.message}</Text>
          <Button className='member-home__retry' size='mini' onClick={() => void load()}>
            重试
          </Button>
        </View>
      )}

      {state.status === 'ready' && (
        <View className='card member-home__profile'>
          <Text className='member-home__nickname'>{state.me.nickname || '微信用户'}</Text>
          <View className='member-home__row'>
            <Text className='muted'>会员阶段</Text>
            <Text className='member-home__stage' data-stage={state.me.stage}>
              {FUNNEL_STAGE_LABELS[state.me.stage] ?? state.me.stage}
            </Text>
          </View>
          {state.me.phoneMasked && (
            <View className='member-home__row'>
              <Text className='muted'>手机号</Text>
              <Text>{state.me.phoneMasked}</Text>
            </View>
          )}
          {state.me.isStaff && (
            <Button
              className='member-home__staff'
              size='mini'
              onClick={() => void Taro.navigateTo({ url: '/staff/pages/home/index' })}
            >
              进入店员工作台
            </Button>
          )}
        </View>
      )}
    </View>
  )
}
