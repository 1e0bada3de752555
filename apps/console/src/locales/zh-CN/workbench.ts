/** 工作台 (console home): the cards the modules contribute (`workbench.cards.<id>`). */
const workbench = {
  todos: '我的待办',
  todosHint: '点击卡片查看对应清单',
  figures: '辖区指标',
  figuresHint: '近 4 周与此前 4 周相比',
  nothing: '暂无待办事项，做得好！',
  loadFailed: '工作台数据加载失败',
  retry: '重试',
  refresh: '刷新',
  total: '共 {n} 件待办',
  due: '最近时限 {time}',
  overdueSince: '最早超时 {time}',
  next: '最近一场 {time}',
  noData: '暂无数据',
  previous: '前 4 周 {value}',
  trend: '近 12 周走势',
  up: '上升 {delta}',
  down: '下降 {delta}',
  flat: '持平',
  modules: {
    cases: '城社共治',
    'service-guide': '办事服务',
    admission: '事项准入',
  },
  /** By card id `<module>.<card>`: one object per module. */
  cards: {
    cases: {
      toAccept: '待签收案件',
      toHandle: '待处置案件',
      handling: '处置中案件',
      toVerify: '待核查案件',
      toRegister: '待立案上报',
      toDispatch: '待派遣案件',
      overdue: '超时案件',
      supervised: '督办中案件',
      onTimeRate: '按时办结率',
      satisfaction: '群众满意率',
    },
    'service-guide': {
      toPreReview: '待预审办件',
      toAccept: '待受理办件',
      inProgress: '办理中办件',
      overdue: '超时办件',
      forwarded: '转办至本部门',
      officeHours: '即将坐班',
    },
    admission: {
      tasksOpen: '待签收准入任务',
      tasksAcknowledged: '办理中准入任务',
      toReview: '待审核准入申请',
      requestsInReview: '审核中准入申请',
      outsideReports: '体制外派活待处理',
    },
  },
};

export default workbench;
