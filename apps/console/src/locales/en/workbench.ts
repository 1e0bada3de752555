import type zhCN from '../zh-CN/workbench';

/** Workbench (console home): the cards the modules contribute (`workbench.cards.<id>`). */
const workbench: typeof zhCN = {
  todos: 'My to-dos',
  todosHint: 'Open a card to see its list',
  figures: 'My units’ figures',
  figuresHint: 'Last 4 weeks against the 4 before',
  nothing: 'Nothing to do right now. Well done!',
  loadFailed: 'The workbench could not be loaded',
  retry: 'Retry',
  refresh: 'Refresh',
  total: '{n} to-dos in all',
  due: 'Nearest deadline {time}',
  overdueSince: 'Overdue since {time}',
  next: 'Next one {time}',
  noData: 'No data yet',
  previous: '4 weeks before: {value}',
  trend: 'Last 12 weeks',
  up: 'up {delta}',
  down: 'down {delta}',
  flat: 'no change',
  modules: {
    cases: 'City & community',
    'service-guide': 'Services',
    admission: 'Admission',
  },
  /** By card id `<module>.<card>`: one object per module. */
  cards: {
    cases: {
      toAccept: 'Cases to accept',
      toHandle: 'Cases to handle',
      handling: 'Cases in hand',
      toVerify: 'Cases to verify',
      toRegister: 'Reports to register',
      toDispatch: 'Cases to dispatch',
      overdue: 'Overdue cases',
      supervised: 'Supervised cases',
      onTimeRate: 'On-time rate',
      satisfaction: 'Satisfaction',
    },
    'service-guide': {
      toPreReview: 'Applications to pre-review',
      toAccept: 'Applications to accept',
      inProgress: 'Applications in progress',
      overdue: 'Overdue applications',
      forwarded: 'Forwarded to my department',
      officeHours: 'Coming office hours',
    },
    admission: {
      tasksOpen: 'Admission tasks to acknowledge',
      tasksAcknowledged: 'Admission tasks in hand',
      toReview: 'Admission requests to review',
      requestsInReview: 'My requests in review',
      outsideReports: 'Outside-the-system work to check',
    },
  },
};

export default workbench;
