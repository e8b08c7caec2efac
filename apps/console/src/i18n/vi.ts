import * as terms from './terms';
import * as children from '../features/children/i18n';
import * as register from '../features/register/i18n';
import * as imports from '../features/imports/i18n';
import * as reconciliation from '../features/reconciliation/i18n';
import * as cases from '../features/cases/i18n';
import * as childActions from '../features/child-actions/i18n';
import * as dashboard from '../features/dashboard/i18n';
import * as inspection from '../features/inspection/i18n';
import * as admin from '../features/admin/i18n';

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
    system: 'Hệ thống (tự động)',
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
    dashboard: 'Theo dõi chỉ tiêu',
    inspection: 'Thanh tra, kiểm tra',
    admin: 'Quản trị',
  },
  purposeGate: {
    title: 'Mục đích truy cập',
    intro: 'Dữ liệu cá nhân của trẻ em chỉ được xem khi có mục đích. Chọn mục đích của bạn; mục đích được ghi lại cùng mỗi lần xem.',
    show: 'Xem dữ liệu',
  },
  page: {
    comingSoon: 'Màn hình này đang được xây dựng.',
    notFound: 'Không tìm thấy trang.',
    backHome: 'Về trang đầu',
    noScreens: 'Chưa có màn hình nào cho vai trò của bạn.',
  },
  ...terms.vi,
  ...children.vi,
  ...register.vi,
  ...imports.vi,
  ...reconciliation.vi,
  ...cases.vi,
  ...childActions.vi,
  ...dashboard.vi,
  ...inspection.vi,
  ...admin.vi,
} as const;
