export default definePageConfig({
  navigationBarTitleText: '任务中心',
  navigationBarBackgroundColor: '#13b38a',
  navigationBarTextStyle: 'white',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
