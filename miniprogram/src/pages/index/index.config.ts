export default definePageConfig({
  navigationBarTitleText: '会员中心',
  navigationBarBackgroundColor: '#fdf3e1',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
