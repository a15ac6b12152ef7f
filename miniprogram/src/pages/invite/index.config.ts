export default definePageConfig({
  navigationBarTitleText: '邀请有礼',
  navigationBarBackgroundColor: '#8a5cf5',
  navigationBarTextStyle: 'white',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
