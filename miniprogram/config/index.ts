import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin'
import devConfig from './dev'
import prodConfig from './prod'

/**
 * Values the app reads as `process.env.TARO_APP_*`. Taken from the shell at build time, with
 * local-demo defaults; a `.env[.mode]` file in miniprogram/ (Taro's dotenv) overrides both.
 */
const APP_ENV_DEFAULTS = {
  /** Siyu API server (server/ listens on PORT, default 3000). */
  TARO_APP_API_BASE: 'http://127.0.0.1:3000',
  /** WeChat sandbox; H5 builds only, for the /__sim/* test hooks (server default WECHAT_SANDBOX_PORT). */
  TARO_APP_SANDBOX_BASE: 'http://127.0.0.1:3100',
  /** Mini-program appid sent to POST /api/v1/auth/login (server DEMO_APPID). */
  TARO_APP_APPID: 'wx_demo_siyu',
} as const

function appEnv(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, fallback] of Object.entries(APP_ENV_DEFAULTS)) {
    out[key] = JSON.stringify(process.env[key] || fallback)
  }
  return out
}

// @siyu/shared is TypeScript source linked into node_modules; Taro only transpiles src/ unless told.
const sharedSrc = path.resolve(__dirname, '../../shared/src')

// https://docs.taro.zone/docs/config
export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'siyu-miniprogram',
    date: '2026-11-1',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    // One folder per platform: project.config.json points WeChat DevTools at dist/weapp/.
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    env: appEnv(),
    defineConstants: {},
    copy: {
      patterns: [],
      options: {},
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: {
      enable: false,
    },
    mini: {
      compile: {
        include: [sharedSrc],
      },
      postcss: {
        pxtransform: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]',
          },
        },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      },
    },
    h5: {
      // Relative, with a hash router: the build can be served from any static root or sub-path.
      publicPath: './',
      staticDirectory: 'static',
      router: {
        mode: 'hash',
      },
      compile: {
        include: [sharedSrc],
      },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: {
          enable: true,
          config: {},
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]',
          },
        },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      },
    },
  }

  if (process.env.NODE_ENV === 'development') {
    // 本地开发构建配置（不混淆压缩）
    return merge({}, baseConfig, devConfig)
  }
  // 生产构建配置（默认开启压缩混淆等）
  return merge({}, baseConfig, prodConfig)
})
