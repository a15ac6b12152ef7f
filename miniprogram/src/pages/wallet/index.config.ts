export default definePageConfig({
  navigationBarTitleText: '我的零钱',
  navigationBarBackgroundColor: '#d9363e',
  navigationBarTextStyle: 'white',
  enablePullDownRefresh: true,
})
