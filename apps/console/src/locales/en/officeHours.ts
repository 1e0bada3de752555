import type zh from '../zh-CN/officeHours';

const officeHours: typeof zh = {
  menu: 'Office hours',
};

export default officeHours;
