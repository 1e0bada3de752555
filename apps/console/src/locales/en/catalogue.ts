import type zh from '../zh-CN/catalogue';

const catalogue: typeof zh = {
  menu: 'Catalogue',
};

export default catalogue;
