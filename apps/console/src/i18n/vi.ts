// Vietnamese: the console's first language. Legal terms as the law writes them (docs/console.md).
export const vi = {
  app: {
    name: 'ChildLedger',
    tagline: 'Hệ thống dữ liệu bảo vệ trẻ em',
    loading: 'Đang tải…',
    skipToContent: 'Bỏ qua, đến nội dung chính',
  },
  signIn: {
    title: 'Đăng nhập',
    intro: 'Dành cho cán bộ làm công tác bảo vệ trẻ em. Đăng nhập bằng tài khoản của đơn vị.',
    button: 'Đăng nhập',
    inProgress: 'Đang đăng nhập…',
    failed: 'Không đăng nhập được. Vui lòng thử lại.',
    retry: 'Thử lại',
    signedOut: 'Bạn đã đăng xuất.',
  },
  shell: {
    mainMenu: 'Menu chính',
    openMenu: 'Mở menu',
    signOut: 'Đăng xuất',
    user: 'Người dùng',
    switchLanguage: 'Ngôn ngữ',
  },
  language: {
    vi: 'Tiếng Việt',
    en: 'English',
  },
  role: {
    data_officer: 'Cán bộ dữ liệu',
    case_worker: 'Cán bộ quản lý trường hợp',
    inspector: 'Thanh tra',
    admin: 'Quản trị hệ thống',
  },
  unit: {
    communes: 'Xã, phường, đặc khu {{codes}}',
    provinces: 'Tỉnh, thành phố {{codes}}',
    everywhere: 'Toàn quốc',
  },
  menu: {
    findChild: 'Tìm trẻ em',
    register: 'Đăng ký',
    import: 'Nhập dữ liệu',
    reconciliation: 'Đối soát',
    cases: 'Danh sách vụ việc',
  },
  page: {
    comingSoon: 'Màn hình này đang được xây dựng.',
    notFound: 'Không tìm thấy trang.',
    backHome: 'Về trang đầu',
    noScreens: 'Chưa có màn hình nào cho vai trò của bạn.',
  },
  findChild: {
    title: 'Tìm trẻ em',
    intro: 'Tìm trẻ em trong địa bàn của bạn theo họ tên, ngày sinh, xã, phường hoặc số định danh cá nhân.',
  },
  register: {
    title: 'Đăng ký trẻ em',
    intro: 'Đăng ký một trẻ em vào sổ theo dõi của xã, phường.',
  },
  import: {
    title: 'Nhập dữ liệu',
    intro: 'Nhập danh sách trẻ em của xã, phường từ tệp CSV hoặc XLSX.',
  },
  reconciliation: {
    title: 'Đối soát',
    intro: 'Đối soát hồ sơ trẻ em với Cơ sở dữ liệu quốc gia về dân cư: xem xét, liên kết.',
  },
  cases: {
    title: 'Danh sách vụ việc',
    intro: 'Các vụ việc được giao cho bạn và các vụ việc chưa có người phụ trách trong địa bàn, quá hạn và sắp đến hạn trước.',
  },
} as const;
