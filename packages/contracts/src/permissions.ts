/**
 * Permission codes and built-in roles. The single source of truth for both the server's
 * `authorize()` and the front ends' menus. Later modules append their codes here.
 */
export const PERMISSIONS = {
  'org.read': '查看组织架构',
  'org.manage': '管理组织架构',
  'accounts.read': '查看账号',
  'accounts.manage': '管理账号',
  'roles.grant': '授予和撤销角色',
  'roles.manage': '管理角色设置',
  'pii.read': '查看完整个人信息',
  'audit.read': '查看审计日志',
  'privacy.manage': '发布隐私政策（个人信息处理规则）新版本',
  'notices.manage': '发布社区公告',
  'calendar.manage': '维护节假日与调休日历',
  'applications.handle': '办理社区办件（预审、受理、转办、办结）',
  'applications.department': '办理转至本部门的办件',
  'catalogue.manage': '维护办事事项目录与同义词',
  'offerings.manage': '维护社区便民服务室事项',
  'office_hours.manage': '安排部门下沉坐班',
  'cases.read': '查看辖区内的城社共治案件',
  'cases.dispatch': '立案、不予立案、派遣案件',
  'cases.handle': '签收、退单、处置案件（中队队员、部门人员）',
  'cases.verify': '核查案件处置结果',
  'cases.supervise': '督办案件、审批延期（镇街、区级）',
  'cases.manage': '维护案件分类、派遣规则、中队和辖区边界',
  'squads.manage': '组建本辖区城管中队，增减队员、调整职责',
  'admission.request': '提交社区工作事项准入申请（区级部门）',
  'admission.review': '准入审核：决定、附条件准入、不予准入、退出',
  'admission.lists': '编辑和发布三张清单',
  'admission.comment': '对涉及本社区的准入申请提出意见',
  'admission.inbox': '处理社区任务收件箱、登记体制外派活',
  'admission.oversight': '查看和处理体制外派活督查队列',
  'admission.burden': '查看社区减负指数（报表台账、会议、检查、工时）',
  'open311.manage': '为合作应用签发和吊销 Open311 接口密钥',
  'jobs.manage': '查看后台任务（定时任务、短信、导出）和死信，重试失败的任务',
} as const;
export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_CODES = Object.keys(PERMISSIONS) as Permission[];

export type OrgUnitKindCode = 'district' | 'town' | 'community' | 'grid';

export interface RoleDefinition {
  code: string;
  name: { 'zh-CN': string; en: string };
  /** The org-unit kinds this role may be granted at. */
  grantableAt: readonly OrgUnitKindCode[];
  permissions: readonly Permission[];
}

const all = PERMISSION_CODES;

/** Built-in roles for every actor in ARCHITECTURE.md ("Who uses it"). */
export const BUILT_IN_ROLES = [
  {
    code: 'district_admin',
    name: { 'zh-CN': '区级管理员', en: 'District administrator' },
    grantableAt: ['district'],
    permissions: all,
  },
  {
    code: 'district_office',
    name: { 'zh-CN': '区级办公室', en: 'District office' },
    grantableAt: ['district'],
    permissions: [
      'org.read',
      'accounts.read',
      'audit.read',
      'cases.read',
      'cases.supervise',
      'admission.review',
      'admission.lists',
      'admission.oversight',
      'admission.burden',
    ],
  },
  {
    code: 'town_admin',
    name: { 'zh-CN': '镇（街道）管理员', en: 'Town administrator' },
    grantableAt: ['town'],
    permissions: [
      'org.read',
      'org.manage',
      'accounts.read',
      'accounts.manage',
      'roles.grant',
      'audit.read',
      'notices.manage',
      'offerings.manage',
      'applications.handle',
      'cases.read',
      'cases.dispatch',
      'cases.verify',
      'cases.supervise',
      'squads.manage',
      'admission.inbox',
      'admission.burden',
    ],
  },
  {
    code: 'community_secretary',
    name: { 'zh-CN': '社区书记', en: 'Community party secretary' },
    grantableAt: ['community'],
    permissions: [
      'org.read',
      'org.manage',
      'accounts.read',
      'accounts.manage',
      'roles.grant',
      'audit.read',
      'pii.read',
      'notices.manage',
      'offerings.manage',
      'applications.handle',
      'cases.read',
      'cases.dispatch',
      'cases.verify',
      'squads.manage',
      'admission.comment',
      'admission.inbox',
      'admission.burden',
    ],
  },
  {
    code: 'community_worker',
    name: { 'zh-CN': '社区工作者', en: 'Community worker' },
    grantableAt: ['community', 'grid'],
    permissions: [
      'org.read',
      'accounts.read',
      'notices.manage',
      'offerings.manage',
      'applications.handle',
      'cases.read',
      'cases.dispatch',
      'cases.verify',
      'admission.inbox',
    ],
  },
  {
    code: 'grid_worker',
    name: { 'zh-CN': '网格员', en: 'Grid worker' },
    grantableAt: ['grid', 'community'],
    permissions: ['org.read', 'cases.read'],
  },
  {
    code: 'squad_member',
    name: { 'zh-CN': '城管中队队员', en: 'City-management squad member' },
    grantableAt: ['community', 'town'],
    permissions: ['org.read', 'cases.read', 'cases.handle', 'cases.verify'],
  },
  {
    code: 'department_staff',
    name: { 'zh-CN': '区级部门工作人员', en: 'District department staff' },
    grantableAt: ['district'],
    permissions: [
      'org.read',
      'office_hours.manage',
      'applications.department',
      'cases.handle',
      'admission.request',
    ],
  },
  {
    code: 'cobuild_unit',
    name: { 'zh-CN': '驻区单位', en: 'Co-building unit' },
    grantableAt: ['district', 'town', 'community'],
    permissions: ['org.read'],
  },
  {
    code: 'social_org',
    name: { 'zh-CN': '社会组织 / 社工', en: 'Social organisation / social worker' },
    grantableAt: ['district', 'town', 'community'],
    permissions: ['org.read'],
  },
  {
    code: 'reviewer',
    name: { 'zh-CN': '评审专家', en: 'Reviewer' },
    grantableAt: ['district'],
    permissions: [],
  },
  {
    code: 'deliberation_rep',
    name: { 'zh-CN': '议事代表', en: 'Deliberation representative' },
    grantableAt: ['community', 'grid'],
    permissions: [],
  },
] as const satisfies readonly RoleDefinition[];
export type RoleCode = (typeof BUILT_IN_ROLES)[number]['code'];
export const ROLE_CODES = BUILT_IN_ROLES.map((r) => r.code) as RoleCode[];
