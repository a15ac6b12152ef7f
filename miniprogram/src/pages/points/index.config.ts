export default definePageConfig({
  navigationBarTitleText: '我的积分',
  navigationBarBackgroundColor: '#ffd36b',
  enablePullDownRefresh: true,
  onReachBottomDistance: 80,
})
