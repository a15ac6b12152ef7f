import type { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'
import './app.scss'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    console.info('[siyu] app launched', process.env.TARO_ENV)
  })

  // children 是将要会渲染的页面
  return children
}

export default App
