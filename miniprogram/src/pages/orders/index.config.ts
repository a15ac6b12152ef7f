export default definePageConfig({ navigationBarTitleText: '订单与会员', enablePullDownRefresh: true })
