const applications = {
  menu: '办件工作台',
};

export default applications;
