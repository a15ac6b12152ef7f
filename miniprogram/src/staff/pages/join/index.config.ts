export default definePageConfig({ navigationBarTitleText: '店员加入' })
