export default definePageConfig({
  navigationBarTitleText: '店员工作台',
  navigationBarBackgroundColor: '#2c3a4f',
  navigationBarTextStyle: 'white',
  enablePullDownRefresh: true,
  enableShareAppMessage: true,
})
