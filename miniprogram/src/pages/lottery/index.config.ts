export default definePageConfig({
  navigationBarTitleText: '幸运抽奖',
  navigationBarBackgroundColor: '#ff5a4e',
  navigationBarTextStyle: 'white',
  enableShareAppMessage: true,
})
