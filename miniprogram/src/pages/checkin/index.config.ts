export default definePageConfig({
  navigationBarTitleText: '每日签到',
  navigationBarBackgroundColor: '#ffb457',
  navigationBarTextStyle: 'white',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
