const officeHours = {
  menu: '部门坐班',
};

export default officeHours;
