const catalogue = {
  menu: '办事目录',
};

export default catalogue;
