import { Calendar } from '@element-plus/icons-vue';
import { markRaw } from 'vue';
import type { RouteRecordRaw } from 'vue-router';

/** Module `service-guide`: 区级部门下沉 office hours in communities, their bookings and check-in. */
const routes: RouteRecordRaw[] = [
  {
    path: 'office-hours',
    name: 'office-hours',
    component: () => import('@/views/service-guide/office-hours/list.vue'),
    meta: {
      title: 'officeHours.menu',
      summary: 'officeHours.summary',
      permission: 'office_hours.manage',
      menu: { group: 'service', order: 30, icon: markRaw(Calendar) },
    },
    children: [
      {
        path: ':id',
        name: 'office-hour-bookings',
        component: () => import('@/views/service-guide/office-hours/bookings.vue'),
        meta: {
          title: 'officeHours.bookings.title',
          permission: 'office_hours.manage',
          activeMenu: 'office-hours',
        },
      },
    ],
  },
];

export default routes;
