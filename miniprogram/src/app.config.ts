export default defineAppConfig({
  pages: ['pages/index/index'],
  // Staff mode lives in its own subpackage: consumers never download it.
  subPackages: [
    {
      root: 'staff',
      name: 'staff',
      pages: ['pages/home/index'],
    },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '会员中心',
    navigationBarTextStyle: 'black',
  },
})
