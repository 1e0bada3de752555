const officeHours = {
  title: '部门坐班',
};

export default officeHours;
