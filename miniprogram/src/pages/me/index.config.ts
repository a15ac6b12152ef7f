export default definePageConfig({
  navigationBarTitleText: '我的',
  navigationBarBackgroundColor: '#fdf3e1',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
