export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/me/index',
    'pages/checkin/index',
    'pages/points/index',
    'pages/lottery/index',
    'pages/coupons/index',
    'pages/orders/index',
    'pages/invite/index',
    'pages/tasks/index',
    'pages/redpacket/index',
    'pages/wallet/index',
  ],
  // Staff mode lives in its own subpackage: consumers never download it.
  subPackages: [
    {
      root: 'staff',
      name: 'staff',
      pages: ['pages/home/index', 'pages/join/index', 'pages/customers/index', 'pages/stats/index'],
    },
  ],
  // Staff mode opens from 我的 (or an invite link); preload it only for those who reach 我的.
  preloadRule: {
    'pages/me/index': { network: 'all', packages: ['staff'] },
  },
  tabBar: {
    color: '#8a8f99',
    selectedColor: '#a67a3d',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      { pagePath: 'pages/index/index', text: '会员', iconPath: 'assets/tab/member.png', selectedIconPath: 'assets/tab/member-active.png' },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-active.png' },
    ],
  },
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f5f6f7',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '会员中心',
    navigationBarTextStyle: 'black',
  },
})
