import type zh from '../zh-CN/officeHours';

const officeHours: typeof zh = {
  title: 'Office hours',
};

export default officeHours;
