import type { UserConfigExport } from '@tarojs/cli'

// Production builds stay quick and small: no source maps on either platform.
export default {
  mini: {
    enableSourceMap: false,
  },
  h5: {
    enableSourceMap: false,
  },
} satisfies UserConfigExport<'webpack5'>
