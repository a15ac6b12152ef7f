/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.gif'
declare module '*.jpg'
declare module '*.jpeg'
declare module '*.svg'
declare module '*.css'
declare module '*.scss'

declare namespace NodeJS {
  interface ProcessEnv {
    /** NODE 内置环境变量, 会影响到最终构建生成产物 */
    NODE_ENV: 'development' | 'production'
    /** 当前构建的平台 */
    TARO_ENV: 'weapp' | 'swan' | 'alipay' | 'h5' | 'rn' | 'tt' | 'qq' | 'jd' | 'harmony' | 'jdrn'
    /** Taro: 当前构建的小程序 appid（可选） */
    TARO_APP_ID?: string
    /** Siyu API 服务地址，默认 http://127.0.0.1:3000（见 config/index.ts） */
    TARO_APP_API_BASE: string
    /** 微信沙箱地址（仅 H5 构建使用 /__sim/* 测试钩子），默认 http://127.0.0.1:3100 */
    TARO_APP_SANDBOX_BASE: string
    /** 登录时上报的小程序 appid，默认 wx_demo_siyu */
    TARO_APP_APPID: string
  }
}

/** The native WeChat mini-program global (weapp builds only); typed where it is used. */
declare const wx: unknown
