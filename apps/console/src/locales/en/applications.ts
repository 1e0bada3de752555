import type zh from '../zh-CN/applications';

const applications: typeof zh = {
  menu: 'Applications',
};

export default applications;
