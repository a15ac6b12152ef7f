export default definePageConfig({
  navigationBarTitleText: '红包',
  navigationBarBackgroundColor: '#d9363e',
  navigationBarTextStyle: 'white',
  backgroundColor: '#d9363e',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
